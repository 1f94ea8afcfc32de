/* core/db_password.h — a tenant database password: generated from the
 * kernel's random source, held in caller-owned buffers, wiped after use.
 * Safe from any thread.
 */
#ifndef CORE_DB_PASSWORD_H
#define CORE_DB_PASSWORD_H

#include <stddef.h>

#define DB_PASSWORD_LEN 32			/* letters and digits: ~190 bits */
#define DB_PASSWORD_SIZE (DB_PASSWORD_LEN + 1)

/* Fills out with DB_PASSWORD_LEN characters of [A-Za-z0-9] drawn uniformly
 * (getrandom, rejection sampling) and a NUL. 0, or -1 if the kernel's source
 * failed (out is then wiped). */
int db_password_generate(char out[DB_PASSWORD_SIZE]);

/* Zeroes n bytes in a way the compiler cannot drop. */
void db_password_wipe(void *buf, size_t n);

#endif
