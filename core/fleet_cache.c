/* The last fleet seen of one cluster, on disk (see core/fleet_cache.h).
 *
 * The file, text, one record a line, fields separated by tabs:
 *   smartops-fleet-snapshot	1
 *   server	https://10.0.0.1:6443
 *   context	prod-east
 *   written	1764892800
 *   rows	2
 *   t12345-prod	T12345	0	1	3	Acme Ltda	aws	3 base services up ...
 *   t12345-dev	...
 *   end	<FNV-1a 64 of the row lines, hex>
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fleet_cache.h"
#include "core/health.h"
#include "core/model.h"
#include "util/util.h"

#define MAGIC "smartops-fleet-snapshot"
#define VERSION 1

static uint64_t fnv_add(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

#define FNV_START 1469598103934665603ull

char *fleet_cache_path(const char *dir, const char *server, const char *context)
{
	strbuf sb;
	uint64_t h = FNV_START;
	const char *p;
	size_t n = 0;

	h = fnv_add(h, server ? server : "", strlen(server ? server : "") + 1);
	h = fnv_add(h, context, strlen(context));
	sb_init(&sb, 128);
	sb_addf(&sb, "%s/fleet-", dir);
	for (p = context; *p && n < 64; p++, n++) {
		unsigned char c = (unsigned char)*p;
		sb_addc(&sb, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9') || c == '-' || c == '_'
				 ? (char)c
				 : '_');
	}
	sb_addf(&sb, "-%016" PRIx64 ".snapshot", h);
	return sb_detach(&sb, NULL);
}

/* A field: tabs and line ends (and other controls) become spaces. */
static void add_field(strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addc(sb, (unsigned char)*s < 0x20 ? ' ' : *s);
}

/* mkdir -p, private. */
static int make_dirs(const char *dir, char *err, size_t errsz)
{
	char *p, *d = xstrdup(dir);
	int rc = 0;

	for (p = d + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char was = *p;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			rc = util_seterr(err, errsz, "cannot make %s: %s", d, strerror(errno));
			break;
		}
		if (!was)
			break;
		*p = was;
	}
	free(d);
	return rc;
}

int fleet_cache_write(const char *dir, const char *server, const char *context,
		      const fleet_cache_row *rows, size_t n, int64_t written_s, char *err,
		      size_t errsz)
{
	strbuf head, body;
	char *path = NULL, *tmp = NULL;
	uint64_t h = FNV_START;
	size_t i, off;
	int fd = -1, rc = -1;

	if (n > FLEET_CACHE_MAX_ROWS)
		return util_seterr(err, errsz, "%zu environments: more than a snapshot holds (%u)",
				   n, FLEET_CACHE_MAX_ROWS);
	if (make_dirs(dir, err, errsz) < 0)
		return -1;
	sb_init(&head, 256);
	sb_init(&body, n * 160 + 64);
	for (i = 0; i < n; i++) {
		const fleet_cache_row *r = &rows[i];
		size_t start = body.len;
		add_field(&body, r->ns);
		sb_addc(&body, '\t');
		add_field(&body, r->tcode);
		sb_addf(&body, "\t%u\t%u\t%u\t", r->env, r->product, r->state);
		add_field(&body, r->customer);
		sb_addc(&body, '\t');
		add_field(&body, r->provider);
		sb_addc(&body, '\t');
		add_field(&body, r->cause);
		sb_addc(&body, '\n');
		h = fnv_add(h, body.buf + start, body.len - start);
	}
	sb_addf(&head, "%s\t%d\nserver\t", MAGIC, VERSION);
	add_field(&head, server ? server : "");
	sb_adds(&head, "\ncontext\t");
	add_field(&head, context);
	sb_addf(&head, "\nwritten\t%lld\nrows\t%zu\n", (long long)written_s, n);
	sb_addf(&body, "end\t%016" PRIx64 "\n", h);
	if (head.len + body.len > FLEET_CACHE_MAX_BYTES) {
		util_seterr(err, errsz, "the snapshot would take %zu bytes, more than %u",
			    head.len + body.len, FLEET_CACHE_MAX_BYTES);
		goto out;
	}
	path = fleet_cache_path(dir, server, context);
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	unlink(tmp); /* one a crashed run of the same pid left */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		util_seterr(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		const strbuf *b = i ? &body : &head;
		for (off = 0; off < b->len;) {
			ssize_t w = write(fd, b->buf + off, b->len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				util_seterr(err, errsz, "cannot write %s: %s", tmp,
					    w < 0 ? strerror(errno) : "short write");
				goto out;
			}
			off += (size_t)w;
		}
	}
	/* No fsync: the rename alone keeps a reader from ever seeing part of a
	 * file, and a file a crash tore is caught by its rows and end hash and
	 * ignored with a warning. A cache need not survive a power cut; the
	 * fsync was 28 ms of a 20,000-tenant `tenants` waiting for the disk. */
	if (close(fd) < 0) {
		fd = -1;
		util_seterr(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		util_seterr(err, errsz, "cannot replace %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	sb_release(&head);
	sb_release(&body);
	return rc;
}

/* ---- reading ---- */

/* Splits line at tabs into exactly want fields; -1 if the count differs. */
static int split_exact(char *line, char **fld, int want)
{
	int n = 0;

	for (;;) {
		char *t = strchr(line, '\t');
		if (n == want)
			return -1;
		fld[n++] = line;
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n == want ? 0 : -1;
}

/* A decimal in [0, max]; -1 if not. */
static long long num_field(const char *s, long long max)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* The next line of buf (NUL-terminated in place), or NULL at the end or when
 * the last line has no newline (a truncated file). */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* Parses the whole file; -1 with why set when it is not a snapshot we wrote. */
static int parse(char *buf, size_t len, const char *server, const char *context,
		 fleet_cache_row **rows_out, size_t *n_out, int64_t *written, char *why,
		 size_t whysz)
{
	char *p = buf, *end = buf + len, *line, *fld[8];
	fleet_cache_row *rows = NULL;
	long long n, w, v;
	uint64_t h = FNV_START;
	size_t i;

	if (memchr(buf, '\0', len))
		return util_seterr(why, whysz, "not a text file");
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], MAGIC))
		return util_seterr(why, whysz, "not a fleet snapshot");
	if (strcmp(fld[1], "1"))
		return util_seterr(why, whysz, "snapshot format %.16s, not %d", fld[1], VERSION);
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], "server"))
		return util_seterr(why, whysz, "line 2: no server");
	if (strcmp(fld[1], server ? server : ""))
		return util_seterr(why, whysz, "written for another cluster (%.200s)", fld[1]);
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], "context"))
		return util_seterr(why, whysz, "line 3: no context");
	if (strcmp(fld[1], context))
		return util_seterr(why, whysz, "written for another context (%.100s)", fld[1]);
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], "written") ||
	    (w = num_field(fld[1], 1LL << 40)) <= 0)
		return util_seterr(why, whysz, "line 4: no time written");
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], "rows") ||
	    (n = num_field(fld[1], FLEET_CACHE_MAX_ROWS)) < 0)
		return util_seterr(why, whysz, "line 5: no row count (at most %u)",
				   FLEET_CACHE_MAX_ROWS);
	rows = xcalloc((size_t)n + 1, sizeof(*rows));
	for (i = 0; i < (size_t)n; i++) {
		fleet_cache_row *r = &rows[i];
		char *start = p;
		if (!(line = next_line(&p, end))) {
			util_seterr(why, whysz, "truncated: %zu of %lld rows", i, n);
			goto bad;
		}
		h = fnv_add(fnv_add(h, start, (size_t)(p - start) - 1), "\n", 1);
		if (split_exact(line, fld, 8) < 0 || copy_field(r->ns, sizeof(r->ns), fld[0]) ||
		    !tcode_is_valid(fld[1]) || copy_field(r->tcode, sizeof(r->tcode), fld[1]) ||
		    (v = num_field(fld[2], 1)) < 0 || (r->env = (uint8_t)v, 0) ||
		    (v = num_field(fld[3], MODEL_PRODUCT_ESOCIAL)) < 0 ||
		    (r->product = (uint8_t)v, 0) || (v = num_field(fld[4], HEALTH_COUNT - 1)) < 0 ||
		    (r->state = (uint8_t)v, 0) ||
		    copy_field(r->customer, sizeof(r->customer), fld[5]) ||
		    copy_field(r->provider, sizeof(r->provider), fld[6]) ||
		    copy_field(r->cause, sizeof(r->cause), fld[7])) {
			util_seterr(why, whysz, "line %zu is not a row", i + 6);
			goto bad;
		}
	}
	line = next_line(&p, end);
	if (!line || split_exact(line, fld, 2) < 0 || strcmp(fld[0], "end")) {
		util_seterr(why, whysz, "truncated: no end line");
		goto bad;
	}
	{
		char want[32];
		snprintf(want, sizeof(want), "%016" PRIx64, h);
		if (strcmp(fld[1], want)) {
			util_seterr(why, whysz, "the rows do not match their checksum");
			goto bad;
		}
	}
	if (p != end) {
		util_seterr(why, whysz, "text after the end line");
		goto bad;
	}
	*rows_out = rows;
	*n_out = (size_t)n;
	*written = (int64_t)w;
	return 0;
bad:
	free(rows);
	return -1;
}

int fleet_cache_read(const char *dir, const char *server, const char *context,
		     fleet_cache_row **rows, size_t *n, int64_t *written_s, char *err,
		     size_t errsz)
{
	char *path = fleet_cache_path(dir, server, context), *buf = NULL, why[256];
	struct stat st;
	size_t got = 0;
	int fd, ret = -1;

	*rows = NULL;
	*n = 0;
	*written_s = 0;
	if (err && errsz)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			util_seterr(err, errsz, "fleet snapshot ignored: %s (%s)", strerror(errno), path);
		free(path);
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		util_seterr(why, sizeof(why), "not a regular file");
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		util_seterr(why, sizeof(why), "not private to this user (mode %03o)",
			    (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if ((uint64_t)st.st_size > FLEET_CACHE_MAX_BYTES) {
		util_seterr(why, sizeof(why), "%lld bytes, more than %u", (long long)st.st_size,
			    FLEET_CACHE_MAX_BYTES);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (parse(buf, got, server, context, rows, n, written_s, why, sizeof(why)) == 0)
		ret = 1;
out:
	if (ret < 0)
		util_seterr(err, errsz, "fleet snapshot ignored: %s (%s)", why, path);
	close(fd);
	free(buf);
	free(path);
	return ret;
}
