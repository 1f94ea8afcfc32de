#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "k8s/redact.h"
#include "k8s/status.h"
#include "util/util.h"

void k8s_err_clear(k8s_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int k8s_err_set(k8s_err *err, int http, const char *fmt, ...)
{
	va_list ap;
	char raw[sizeof(err->msg)];

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	err->http = http;
	err->retry_after_ms = 0;
	k8s_redact_into(raw, err->msg, sizeof(err->msg));
	return -1;
}

/* First line of s (at most n bytes) without control characters. */
static void first_line(const char *s, size_t n, char *out, size_t size)
{
	size_t j = 0;

	for (size_t i = 0; i < n && s[i] && s[i] != '\n' && j + 1 < size; i++)
		out[j++] = (s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
	out[j] = '\0';
}

int k8s_status_decode(int http, const char *body, size_t len, k8s_err *err)
{
	cJSON *root = NULL;
	char line[256];

	if (!err)
		return -1;
	k8s_err_clear(err);
	if (body && len)
		root = cJSON_ParseWithLength(body, len);
	if (root) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(root, "reason");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");

		if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "Status") &&
		    cJSON_IsString(msg) && msg->valuestring[0]) {
			int c = cJSON_IsNumber(code) && code->valueint ? code->valueint : http;

			if (cJSON_IsString(reason) && reason->valuestring[0]) {
				util_strlcpy(err->reason, reason->valuestring, sizeof(err->reason));
				k8s_err_set(err, http, "%s (%d %s)", msg->valuestring, c,
					    reason->valuestring);
			} else {
				k8s_err_set(err, http, "%s (%d)", msg->valuestring, c);
			}
			cJSON_Delete(root);
			return -1;
		}
		cJSON_Delete(root);
	}
	first_line(body ? body : "", body ? len : 0, line, sizeof(line));
	if (http == 401 && !line[0])
		util_strlcpy(line, "Unauthorized", sizeof(line));
	if (line[0])
		k8s_err_set(err, http, "HTTP %d: %s", http, line);
	else
		k8s_err_set(err, http, "HTTP %d with an empty body", http);
	return -1;
}

int64_t k8s_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, unsigned *seed)
{
	int64_t d = base_ms;
	int64_t jitter;

	if (attempt < 0)
		attempt = 0;
	for (int i = 0; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	jitter = d / 4 ? (int64_t)(rand_r(seed) % (unsigned)(d / 4 + 1)) : 0;
	d += jitter;
	return d > cap_ms ? cap_ms : d;
}

int64_t k8s_retry_after_ms(const char *value, int64_t now_s)
{
	char *end;
	long secs;
	struct tm tm;

	if (!value)
		return -1;
	while (*value == ' ')
		value++;
	if (!*value)
		return -1;
	secs = strtol(value, &end, 10);
	if (end != value && (*end == '\0' || *end == ' ' || *end == '\r'))
		return secs < 0 ? -1 : (int64_t)secs * 1000;
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
	memset(&tm, 0, sizeof(tm));
	end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end)
		return -1;
	{
		int64_t at = (int64_t)timegm(&tm);
		return at <= now_s ? 0 : (at - now_s) * 1000;
	}
}

int k8s_status_retryable(int http)
{
	return http == 429 || (http >= 500 && http <= 599 && http != 501);
}
