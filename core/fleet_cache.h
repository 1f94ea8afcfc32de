/* core/fleet_cache.h — the last fleet seen of one cluster, on disk, so the
 * next start shows it at once (marked stale) while the fresh lists load.
 *
 * One file per cluster in the cache folder, named after the context and a
 * hash of the server URL and the context, and holding both in its header: a
 * snapshot written for another cluster (another server behind the same
 * context name, a copied file) is never read as this one's. What is kept is
 * what the fleet screen shows of each environment (namespace, TCODE, env,
 * product, customer, provider, health and its cause); never a Secret, never
 * an object's data.
 *
 * Written whole to a temporary file (mode 0600, in a 0700 folder) and renamed
 * over the old one, so a reader sees the old snapshot or the new, never half;
 * at most FLEET_CACHE_MAX_ROWS rows and FLEET_CACHE_MAX_BYTES bytes. A file
 * that is not exactly what we write (truncated, edited, another version, too
 * big) is ignored whole, with a warning that says why.
 */
#ifndef CORE_FLEET_CACHE_H
#define CORE_FLEET_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/tcode.h"

#define FLEET_CACHE_MAX_ROWS 200000u	     /* 100,000 tenants of two environments */
#define FLEET_CACHE_MAX_BYTES (64u << 20) /* 64 MiB */

typedef struct fleet_cache_row {
	char ns[64];
	char tcode[TCODE_SIZE];
	uint8_t env;	 /* tcode_env */
	uint8_t product; /* model_product */
	uint8_t state;	 /* health_state */
	char customer[64];
	char provider[16];
	char cause[96];
} fleet_cache_row;

/* The file of (server, context) in dir; malloc'd. */
char *fleet_cache_path(const char *dir, const char *server, const char *context);

/* Replaces the cluster's snapshot with rows, written at written_s (unix s).
 * Creates dir (0700) if needed. -1 with err set on failure (nothing replaced). */
int fleet_cache_write(const char *dir, const char *server, const char *context,
		      const fleet_cache_row *rows, size_t n, int64_t written_s, char *err,
		      size_t errsz);

/* Reads the cluster's snapshot: *rows (malloc'd, free()) and *n, *written_s.
 * Returns 1 when read, 0 when there is none (err empty), -1 when a file was
 * there but ignored (err says which and why: corrupt, foreign, too big). */
int fleet_cache_read(const char *dir, const char *server, const char *context,
		     fleet_cache_row **rows, size_t *n, int64_t *written_s, char *err,
		     size_t errsz);

#endif
