/* The prior state of an update (see core/plan_prior.h). */
#include <stdio.h>
#include <string.h>

#include "core/plan.h"
#include "core/plan_prior.h"
#include "util/util.h"

static cJSON *dup_or_die(const cJSON *v)
{
	cJSON *d = cJSON_Duplicate(v, 1);

	if (!d)
		die("out of memory");
	return d;
}

static int same_shape_list(const cJSON *a, const cJSON *b)
{
	return cJSON_IsArray(a) && cJSON_IsArray(b) && cJSON_GetArraySize(a) == cJSON_GetArraySize(b);
}

/* have's values at want's paths; NULL when have is absent. */
static cJSON *project(const cJSON *want, const cJSON *have)
{
	const cJSON *w, *h;
	cJSON *out, *sub;

	if (!have)
		return NULL;
	if (cJSON_IsObject(want) && cJSON_IsObject(have)) {
		out = cJSON_CreateObject();
		cJSON_ArrayForEach(w, want)
		{
			sub = project(w, cJSON_GetObjectItemCaseSensitive(have, w->string));
			if (sub)
				cJSON_AddItemToObject(out, w->string, sub);
		}
		return out;
	}
	if (same_shape_list(want, have)) {
		out = cJSON_CreateArray();
		h = have->child;
		cJSON_ArrayForEach(w, want)
		{
			cJSON_AddItemToArray(out, project(w, h));
			h = h->next;
		}
		return out;
	}
	return dup_or_die(have);
}

/* Appends {"path","to"} for every leaf of want that have does not hold. */
static void diff(const cJSON *want, const cJSON *have, cJSON *path, cJSON *out)
{
	const cJSON *w, *h;
	int i = 0;

	if (cJSON_IsObject(want) && cJSON_IsObject(have)) {
		cJSON_ArrayForEach(w, want)
		{
			cJSON_AddItemToArray(path, cJSON_CreateString(w->string));
			diff(w, cJSON_GetObjectItemCaseSensitive(have, w->string), path, out);
			cJSON_DeleteItemFromArray(path, cJSON_GetArraySize(path) - 1);
		}
		return;
	}
	if (same_shape_list(want, have)) {
		h = have->child;
		cJSON_ArrayForEach(w, want)
		{
			cJSON_AddItemToArray(path, cJSON_CreateNumber(i++));
			diff(w, h, path, out);
			cJSON_DeleteItemFromArray(path, cJSON_GetArraySize(path) - 1);
			h = h->next;
		}
		return;
	}
	if (!plan_json_within(want, have)) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddItemToObject(c, "path", dup_or_die(path));
		cJSON_AddItemToObject(c, "to", dup_or_die(want));
		cJSON_AddItemToArray(out, c);
	}
}

cJSON *plan_prior_record(const cJSON *applied, const cJSON *live)
{
	cJSON *changed, *path, *prior;

	if (!applied || !live)
		return NULL;
	changed = cJSON_CreateArray();
	path = cJSON_CreateArray();
	diff(applied, live, path, changed);
	cJSON_Delete(path);
	if (!cJSON_GetArraySize(changed)) {
		cJSON_Delete(changed);
		return NULL;
	}
	prior = cJSON_CreateObject();
	cJSON_AddItemToObject(prior, "config", project(applied, live));
	cJSON_AddItemToObject(prior, "changed", changed);
	return prior;
}

/* The value at path in doc, or NULL. */
static const cJSON *at(const cJSON *doc, const cJSON *path)
{
	const cJSON *seg;

	cJSON_ArrayForEach(seg, path)
	{
		if (!doc)
			return NULL;
		if (cJSON_IsString(seg))
			doc = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, seg->valuestring)
						  : NULL;
		else if (cJSON_IsNumber(seg))
			doc = cJSON_IsArray(doc) ? cJSON_GetArrayItem(doc, seg->valueint) : NULL;
		else
			return NULL;
	}
	return doc;
}

void plan_prior_path_text(const cJSON *path, char *buf, size_t size)
{
	const cJSON *seg;
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	cJSON_ArrayForEach(seg, path)
	{
		if (len >= size)
			break;
		if (cJSON_IsNumber(seg))
			len += (size_t)snprintf(buf + len, size - len, "[%d]", seg->valueint);
		else if (cJSON_IsString(seg) && strpbrk(seg->valuestring, "./[]\""))
			len += (size_t)snprintf(buf + len, size - len, "[\"%s\"]", seg->valuestring);
		else if (cJSON_IsString(seg))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "." : "",
						seg->valuestring);
	}
}

/* A short rendering of a value for messages. */
static void value_text(const cJSON *v, char *buf, size_t size)
{
	char *text;

	if (!v) {
		util_strlcpy(buf, "absent", size);
		return;
	}
	text = cJSON_PrintUnformatted(v);
	if (!text)
		die("out of memory");
	if (strlen(text) + 1 > size && size > 4)
		snprintf(buf, size, "%.*s...", (int)(size - 4), text);
	else
		util_strlcpy(buf, text, size);
	cJSON_free(text);
}

const cJSON *plan_prior_config(const cJSON *prior)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(prior, "config");

	return cJSON_IsObject(c) ? c : NULL;
}

size_t plan_prior_n_changed(const cJSON *prior)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(prior, "changed");

	return cJSON_IsArray(ch) ? (size_t)cJSON_GetArraySize(ch) : 0;
}

plan_prior_state plan_prior_compare(const cJSON *prior, const cJSON *live, char *what,
				    size_t size)
{
	const cJSON *config = plan_prior_config(prior), *c;
	size_t written = 0;

	if (what && size)
		what[0] = '\0';
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(prior, "changed"))
	{
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "path");
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(c, "to");
		const cJSON *now = at(live, path), *from = at(config, path);

		if (plan_json_within(to, now)) {
			written++;
			continue;
		}
		if (from ? plan_json_within(from, now) : !now)
			continue;
		if (what && size) {
			char p[160], v[80], t[80];

			plan_prior_path_text(path, p, sizeof(p));
			value_text(now, v, sizeof(v));
			value_text(to, t, sizeof(t));
			snprintf(what, size, "%s is %s, not %s as this run wrote it", p, v, t);
		}
		return PLAN_PRIOR_CHANGED;
	}
	return written ? PLAN_PRIOR_AS_WRITTEN : PLAN_PRIOR_AS_BEFORE;
}

int plan_prior_valid(const cJSON *prior)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(prior, "changed"), *c, *seg;

	if (!cJSON_IsObject(prior) || !plan_prior_config(prior) || !cJSON_IsArray(ch))
		return 0;
	cJSON_ArrayForEach(c, ch)
	{
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "path");

		if (!cJSON_IsArray(path) || !cJSON_GetObjectItemCaseSensitive(c, "to"))
			return 0;
		cJSON_ArrayForEach(seg, path)
		{
			if (!cJSON_IsString(seg) && !cJSON_IsNumber(seg))
				return 0;
		}
	}
	return 1;
}
