/* The fleet snapshot on disk: written whole and private, read back only for
 * the cluster that wrote it, anything else ignored with the reason. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fleet_cache.h"
#include "core/health.h"
#include "core/model.h"
#include "util/util.h"

#define SERVER "https://10.0.0.1:6443"
#define OTHER "https://10.9.9.9:6443"

static char dir[64];

static int setup(void **state)
{
	util_strlcpy(dir, "/tmp/fleet-cache-XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char *p;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (unlink(p) < 0) { /* the snapshots folder */
			char *q = xasprintf("rm -rf '%s'", p);
			assert_int_equal(system(q), 0);
			free(q);
		}
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static fleet_cache_row *make_rows(size_t n, const char *customer)
{
	fleet_cache_row *rows = xcalloc(n, sizeof(*rows));

	for (size_t i = 0; i < n; i++) {
		snprintf(rows[i].tcode, sizeof(rows[i].tcode), "T%05u", (unsigned)((10000 + i / 2) % 100000));
		snprintf(rows[i].ns, sizeof(rows[i].ns), "t%05zu-%s", 10000 + i / 2,
			 i % 2 ? "dev" : "prod");
		rows[i].env = (uint8_t)(i % 2);
		rows[i].product = MODEL_PRODUCT_ERP;
		rows[i].state = (uint8_t)(i % HEALTH_COUNT);
		util_strlcpy(rows[i].customer, customer, sizeof(rows[i].customer));
		util_strlcpy(rows[i].provider, "aws", sizeof(rows[i].provider));
		snprintf(rows[i].cause, sizeof(rows[i].cause), "cause %zu", i);
	}
	return rows;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	strbuf sb;
	char buf[4096];
	size_t n;

	assert_non_null(fp);
	sb_init(&sb, 4096);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	return sb_detach(&sb, len);
}

static void spit(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, 0600), 0);
	close(fd);
}

/* Written, read back the same; the file and its folder private. */
static void test_round_trip_private(void **state)
{
	char *sub = xasprintf("%s/cache/smartops", dir), *path, err[512];
	fleet_cache_row *rows = make_rows(6, "Acme\tLtda\n"), *got;
	struct stat st;
	size_t n;
	int64_t at;

	umask(022);
	assert_int_equal(fleet_cache_write(sub, SERVER, "prod-east", rows, 6, 1764892800, err,
					   sizeof(err)),
			 0);
	path = fleet_cache_path(sub, SERVER, "prod-east");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(fleet_cache_read(sub, SERVER, "prod-east", &got, &n, &at, err, sizeof(err)),
			 1);
	assert_string_equal(err, "");
	assert_int_equal(n, 6);
	assert_int_equal(at, 1764892800);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got[i].ns, rows[i].ns);
		assert_string_equal(got[i].tcode, rows[i].tcode);
		assert_int_equal(got[i].env, rows[i].env);
		assert_int_equal(got[i].state, rows[i].state);
		assert_string_equal(got[i].customer, "Acme Ltda "); /* tab and newline: spaces */
		assert_string_equal(got[i].cause, rows[i].cause);
	}
	free(got);
	free(rows);
	free(path);
	free(sub);
}

/* A reader holding the old file reads it whole; the path then names the new
 * one; no temporary file is left; a write that fails leaves the old one. */
static void test_atomic_replace(void **state)
{
	fleet_cache_row *a = make_rows(400, "Old Customer"), *b = make_rows(10, "New Customer"), *got;
	char *path = fleet_cache_path(dir, SERVER, "ctx"), *before, *old_text, err[512];
	size_t before_len, n;
	int64_t at;
	DIR *d;
	struct dirent *e;
	int fd, files = 0;
	strbuf sb;
	char buf[4096];
	ssize_t r;

	assert_int_equal(fleet_cache_write(dir, SERVER, "ctx", a, 400, 100, err, sizeof(err)), 0);
	before = slurp(path, &before_len);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fleet_cache_write(dir, SERVER, "ctx", b, 10, 200, err, sizeof(err)), 0);
	sb_init(&sb, before_len + 1);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)r);
	close(fd);
	old_text = sb_detach(&sb, NULL);
	assert_string_equal(old_text, before); /* the old file, whole */
	assert_int_equal(fleet_cache_read(dir, SERVER, "ctx", &got, &n, &at, err, sizeof(err)), 1);
	assert_int_equal(n, 10);
	assert_int_equal(at, 200);
	assert_string_equal(got[0].customer, "New Customer");
	free(got);
	d = opendir(dir);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			files++;
			assert_null(strstr(e->d_name, ".tmp"));
		}
	closedir(d);
	assert_int_equal(files, 1);
	/* too many rows: refused, the snapshot there is kept */
	assert_int_equal(fleet_cache_write(dir, SERVER, "ctx", b, FLEET_CACHE_MAX_ROWS + 1, 300, err,
					   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "more than a snapshot holds"));
	assert_int_equal(fleet_cache_read(dir, SERVER, "ctx", &got, &n, &at, err, sizeof(err)), 1);
	assert_int_equal(at, 200);
	free(got);
	free(before);
	free(old_text);
	free(path);
	free(a);
	free(b);
}

/* expect_ignored: the file at path holds text; reading is refused with why. */
static void expect_ignored(const char *text, size_t len, const char *why)
{
	char *path = fleet_cache_path(dir, SERVER, "ctx"), err[512];
	fleet_cache_row *got = (fleet_cache_row *)1;
	size_t n = 7;
	int64_t at = 7;

	spit(path, text, len);
	assert_int_equal(fleet_cache_read(dir, SERVER, "ctx", &got, &n, &at, err, sizeof(err)), -1);
	assert_null(got);
	assert_int_equal(n, 0);
	assert_int_equal(at, 0);
	if (!strstr(err, why) || !strstr(err, "ignored"))
		fail_msg("wanted \"%s\" in \"%s\"", why, err);
	free(path);
}

/* Truncated, edited, garbage, another version, too loose a mode: ignored whole. */
static void test_corrupt_ignored(void **state)
{
	fleet_cache_row *rows = make_rows(50, "Acme");
	char *path = fleet_cache_path(dir, SERVER, "ctx"), *good, *bad, err[512];
	size_t len, n;
	fleet_cache_row *got;
	int64_t at;

	assert_int_equal(fleet_cache_write(dir, SERVER, "ctx", rows, 50, 100, err, sizeof(err)), 0);
	good = slurp(path, &len);
	/* cut in the middle of a row, at a line end, and before the end line */
	expect_ignored(good, len / 2, "truncated");
	bad = strstr(good, "t10010-prod");
	assert_non_null(bad);
	expect_ignored(good, (size_t)(bad - good), "truncated");
	expect_ignored(good, (size_t)(strstr(good, "\nend\t") - good) + 1, "truncated");
	/* one character of a row changed */
	bad = xstrdup(good);
	*strstr(bad, "cause 17") = 'C';
	expect_ignored(bad, len, "checksum");
	free(bad);
	/* a row with a bad TCODE (the 8th row: line 13) */
	bad = xstrdup(good);
	memcpy(strstr(bad, "t10003-dev\tT10003"), "t10003-dev\tX10003", 17);
	expect_ignored(bad, len, "line 13 is not a row");
	free(bad);
	expect_ignored("garbage\n", 8, "not a fleet snapshot");
	expect_ignored("\x7f" "ELF\0\0\0", 7, "not a text file");
	expect_ignored("smartops-fleet-snapshot\t9\n", 26, "format 9");
	expect_ignored("", 0, "not a fleet snapshot");
	/* trailing text after the end line */
	bad = xasprintf("%sextra\n", good);
	expect_ignored(bad, len + 6, "after the end line");
	free(bad);
	/* readable by others: not trusted */
	spit(path, good, len);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(fleet_cache_read(dir, SERVER, "ctx", &got, &n, &at, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not private"));
	/* and the good one, back in place, is read */
	spit(path, good, len);
	assert_int_equal(fleet_cache_read(dir, SERVER, "ctx", &got, &n, &at, err, sizeof(err)), 1);
	assert_int_equal(n, 50);
	free(got);
	free(good);
	free(path);
	free(rows);
}

/* Another cluster's snapshot is never this one's: not found under another
 * server or context, and refused when copied to this one's name. */
static void test_foreign_never_shown(void **state)
{
	fleet_cache_row *rows = make_rows(4, "West Customer"), *got;
	char *west = fleet_cache_path(dir, OTHER, "kubesim-admin");
	char *east = fleet_cache_path(dir, SERVER, "kubesim-admin"), err[512], *text;
	size_t n, len;
	int64_t at;

	assert_string_not_equal(west, east);
	assert_int_equal(fleet_cache_write(dir, OTHER, "kubesim-admin", rows, 4, 100, err,
					   sizeof(err)),
			 0);
	/* same context name, another server: nothing */
	assert_int_equal(
	    fleet_cache_read(dir, SERVER, "kubesim-admin", &got, &n, &at, err, sizeof(err)), 0);
	assert_null(got);
	assert_string_equal(err, "");
	/* same server, another context: nothing */
	assert_int_equal(fleet_cache_read(dir, OTHER, "other", &got, &n, &at, err, sizeof(err)), 0);
	/* the west file copied over the east name: refused, said why */
	text = slurp(west, &len);
	spit(east, text, len);
	assert_int_equal(
	    fleet_cache_read(dir, SERVER, "kubesim-admin", &got, &n, &at, err, sizeof(err)), -1);
	assert_null(got);
	assert_non_null(strstr(err, "another cluster"));
	assert_non_null(strstr(err, OTHER));
	free(text);
	free(west);
	free(east);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_never_shown, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
