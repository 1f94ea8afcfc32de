#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "util/termtext.h"
#include "util/util.h"

static void (*die_hook)(void);

void util_set_die_hook(void (*hook)(void))
{
	die_hook = hook;
}

/* Prints one line: prefix, then the message with what came from files or the
 * cluster made safe for the terminal (util/termtext.h). Uses a fixed buffer, so
 * it works when memory has run out. */
static void say_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[2048];
	size_t i = 0;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs(prefix, stderr);
	while (msg[i]) {
		uint32_t cp;
		size_t n = termtext_utf8_next((const unsigned char *)msg + i, &cp);

		if (n == 0)
			fputc('?', stderr), n = 1;
		else if (termtext_is_control(cp))
			fprintf(stderr, "\\x%02x", (unsigned)cp);
		else if (termtext_is_bidi(cp))
			fprintf(stderr, "\\u%04x", (unsigned)cp);
		else
			fwrite(msg + i, 1, n, stderr);
		i += n;
	}
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	if (die_hook)
		die_hook();
	va_start(ap, fmt);
	say_line("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

static void *oom(size_t n)
{
	die("out of memory (asked for %zu bytes)", n);
}

/* Big blocks (the fleet's tables and snapshots: tens of MB at 5,000 tenants) are
 * touched page by page as they fill; each first touch of a 4 KB page is a fault,
 * which in a virtual machine costs microseconds: at 5,000 tenants, 27,000 faults
 * made about a sixth of `tenants`' CPU. Such a block's pages are asked to be huge
 * (2 MB, where the kernel has them: transparent huge pages in "madvise" mode, as
 * Debian's default is), a fault for 512 of them. A hint: ignored where refused. */
#define HUGE_BLOCK (4u << 20)

size_t util_pages_within(const void *from, const void *to, char **lo)
{
	uintptr_t page = 4096, a = ((uintptr_t)from + page - 1) & ~(page - 1),
		  b = (uintptr_t)to & ~(page - 1);

	*lo = (char *)a;
	return b > a ? b - a : 0;
}

static void *huge_hint(void *p, size_t n)
{
	char *lo;
	size_t len;

	if (!p || n < HUGE_BLOCK)
		return p;
	if ((len = util_pages_within(p, (char *)p + n, &lo)))
		(void)madvise(lo, len, MADV_HUGEPAGE);
	return p;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void util_populate(void *p, size_t n)
{
	char *lo;
	size_t len, off;

	if (!p || !(len = util_pages_within(p, (char *)p + n, &lo)))
		return;
	if (madvise(lo, len, MADV_POPULATE_WRITE) == 0) {
		/* Present is not yet cheap to touch: on a virtual machine whose
		 * hypervisor maps the guest's pages as they are first used, the first
		 * access to each 4 KB still cost 4-8 us after the populate (11 MB:
		 * 1.5 ms to populate, then 12-15 ms to touch). Read once here, the
		 * page is mapped for every thread: a thread making room ahead takes
		 * that off the path of the one that fills it (0.0 ms). */
		for (off = 0; off < len; off += 4096)
			(void)*(volatile const char *)(lo + off);
		return;
	}
	if (errno != EINVAL)
		return; /* (refused for its memory: not written to either) */
	for (off = 0; off < len; off += 4096) { /* an older kernel: a write to each page */
		volatile char *c = lo + off;
		*c = *c;
	}
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? huge_hint(p, n) : oom(n);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? huge_hint(p, n * size) : oom(n * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? huge_hint(q, n) : oom(n);
}

void util_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	strbuf sb;
	va_list ap;

	sb_init(&sb, 64);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb, NULL);
}

void sb_init(strbuf *sb, size_t hint)
{
	sb->cap = hint ? hint : 64;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
	sb->len = 0;
}

void sb_release(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_grow(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap = sb->cap < 64 ? 64 : sb->cap * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_add(strbuf *sb, const void *data, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		sb_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *sb_detach(strbuf *sb, size_t *len)
{
	char *p = sb->buf;

	if (len)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

int util_seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

size_t util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int util_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int64_t util_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void util_thread_name(const char *name)
{
	char n[16];

	util_strlcpy(n, name, sizeof(n));
	(void)pthread_setname_np(pthread_self(), n);
}

void util_sleep_us(int64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};

	if (us > 0)
		nanosleep(&ts, NULL);
}

/* n's last w digits at p, zero-padded */
static void put_digits(char *p, unsigned n, int w)
{
	while (w-- > 0) {
		p[w] = (char)('0' + n % 10);
		n /= 10;
	}
}

void util_rfc3339(int64_t unix_s, char *buf, size_t size)
{
	/* the calendar from the days since 1970 (the proleptic Gregorian one, in
	 * eras of 400 years): no gmtime_r and strftime, a tenth of their time
	 * (printing a fleet writes two for each of its 10,000 environments) */
	int64_t days = unix_s / 86400, secs = unix_s % 86400;
	int64_t era, doe, yoe, y, doy, mp, d, m;
	char out[32];

	if (!size)
		return;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999) { /* (the C library's years have other widths) */
		struct tm tm;
		time_t t = (time_t)unix_s;

		out[0] = '\0';
		if (gmtime_r(&t, &tm) && !strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm))
			out[0] = '\0';
	} else {
		memcpy(out, "0000-00-00T00:00:00Z", 21);
		put_digits(out, (unsigned)y, 4);
		put_digits(out + 5, (unsigned)m, 2);
		put_digits(out + 8, (unsigned)d, 2);
		put_digits(out + 11, (unsigned)(secs / 3600), 2);
		put_digits(out + 14, (unsigned)(secs / 60 % 60), 2);
		put_digits(out + 17, (unsigned)(secs % 60), 2);
	}
	util_strlcpy(buf, out, size);
}

int64_t util_parse_rfc3339(const char *s)
{
	struct tm tm;
	const char *p;
	int64_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		/* exactly +HH:MM: each character checked before the next is read, so an
		 * offset cut short ("-1:1") never sends p past the string's end */
		int hh, mm;

		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
		    !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]))
			return -1;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[4] - '0') * 10 + (p[5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		t -= (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
		p += 6;
	} else {
		return -1;
	}
	return *p ? -1 : t;
}
