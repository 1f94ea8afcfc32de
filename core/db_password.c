/* core/db_password.c — password generation and wiping; see db_password.h. */
#include <errno.h>
#include <sys/random.h>

#include "core/db_password.h"
#include "util/util.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void db_password_wipe(void *buf, size_t n)
{
	if (buf && n)
		explicit_bzero(buf, n);
}

int db_password_generate(char out[DB_PASSWORD_SIZE])
{
	unsigned char raw[64];
	size_t got = 0, have = 0, used = 0;
	const size_t span = sizeof(alphabet) - 1; /* 62 */
	const unsigned limit = 256 - 256 % span;  /* 248: bytes at or above are dropped */
	int ret = -1;

	while (got < DB_PASSWORD_LEN) {
		if (used == have) {
			ssize_t n = getrandom(raw, sizeof(raw), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto out;
			have = (size_t)n;
			used = 0;
		}
		if (raw[used] < limit)
			out[got++] = alphabet[raw[used] % span];
		used++;
	}
	out[got] = '\0';
	ret = 0;
out:
	db_password_wipe(raw, sizeof(raw));
	if (ret)
		db_password_wipe(out, DB_PASSWORD_SIZE);
	return ret;
}
