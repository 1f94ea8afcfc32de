/* The list-page scanner: a page's items as spans, each span built with and
 * without a keep list, and skipped; the trees made in the arena as smartops
 * makes them (k8s/jarena.h), which holds nothing once they are freed. A span
 * built whole is what cJSON makes of it. A page's continue token told from its
 * first bytes is the whole page's. */
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz/fuzz.h"
#include "k8s/jarena.h"
#include "k8s/jscan.h"

static const jscan_keep meta_keep[] = {{"name", NULL}, {"labels", NULL}, {NULL, NULL}};
static const jscan_keep keep[] = {{"metadata", meta_keep}, {"status", NULL}, {NULL, NULL}};

/* Aborts unless ours and theirs print the same (both NULL included); frees them. */
static void same_tree(cJSON *ours, cJSON *theirs)
{
	char *a = ours ? cJSON_PrintUnformatted(ours) : NULL;
	char *b = theirs ? cJSON_PrintUnformatted(theirs) : NULL;

	if (!ours != !theirs || !a != !b || (a && strcmp(a, b)))
		abort();
	cJSON_free(a);
	cJSON_free(b);
	cJSON_Delete(ours);
	cJSON_Delete(theirs);
}

/* A span made whole is what cJSON makes of it (where jscan makes one at all). */
static void same_as_cjson(const char *p, const char *e)
{
	cJSON *ours = jscan_build(p, e, NULL);

	if (ours)
		same_tree(ours, cJSON_ParseWithLength(p, (size_t)(e - p)));
}

/* An answer read whole: exactly cJSON's, made or refused. */
static void whole_as_cjson(const char *buf, size_t size)
{
	same_tree(jscan_parse(buf, size), cJSON_ParseWithLength(buf, size));
}

/* The continue token told from a page's first bytes (jscan_list_head) is the
 * one the whole page has; a head that can tell never changes its mind as more
 * bytes come. */
static void head_as_page(const char *buf, size_t size, const cJSON *meta)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "continue");
	const char *want = cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
	char *tok;
	int whole = jscan_list_head(buf, size, &tok), r;
	size_t len;

	/* (0 on a whole page is allowed: cJSON takes bytes for blanks that
	 * jscan does not, and a head that cannot tell only means no head start) */
	if (whole == 1 && (!tok != !want || (tok && strcmp(tok, want))))
		abort();
	free(tok);
	for (len = 0; len < size && len < 2048; len++) {
		r = jscan_list_head(buf, len, &tok);
		if ((r == 1 && whole != 1) || (r == -1 && whole != -1) ||
		    (r == 1 && (!tok != !want || (tok && strcmp(tok, want)))) || (r != 1 && tok))
			abort();
		free(tok);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t *spans = NULL, n = 0, i;
	cJSON *meta = NULL;

	jarena_install(); /* once; the fuzzer runs one thread */
	jscan_skip(buf, buf + size);
	whole_as_cjson(buf, size);
	cJSON_Delete(jscan_build(buf, buf + size, keep));
	if (jscan_page(buf, size, &spans, &n, &meta) == 0) {
		for (i = 0; i < n; i++) {
			const char *p = buf + spans[2 * i], *e = buf + spans[2 * i + 1];
			if (spans[2 * i] > spans[2 * i + 1] || spans[2 * i + 1] > size)
				abort(); /* a span outside the page */
			cJSON_Delete(jscan_build(p, e, keep));
			same_as_cjson(p, e);
		}
		head_as_page(buf, size, meta);
	}
	free(spans);
	cJSON_Delete(meta);
	if (jarena_live())
		abort(); /* a node made in the arena and never freed, or freed twice */
	return 0;
}
