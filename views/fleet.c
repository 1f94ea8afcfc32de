/* views/fleet.c — the fleet screen. */
#include <stdio.h>
#include <strings.h>

#include "core/hypnus.h"
#include "tui/loop.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/fleet.h"
#include "views/fleet_seen.h"
#include "views/health_role.h"
#include "views/runs.h"
#include "views/wizard_ns.h"
#include "util/util.h"

enum { REQ_OPEN, REQ_FILTER, REQ_SORT_NEXT, REQ_SORT_REVERSE, REQ_JUMP, REQ_CLEAR, REQ_NEW, REQ_RUNS };

static const tui_binding fleet_bindings[] = {
    {TUI_KEY_ENTER, REQ_OPEN, "Open", "open the tenant under the cursor"},
    {'/', REQ_FILTER, "Filter", "filter: text, health:down, product:esocial, cluster:NAME"},
    {'s', REQ_SORT_NEXT, "Sort", "sort by the next column"},
    {'S', REQ_SORT_REVERSE, NULL, "reverse the sort order"},
    {'T', REQ_JUMP, NULL, "type a TCODE (T12345, or its digits) to jump to it; Enter opens it"},
    {TUI_KEY_ESC, REQ_CLEAR, NULL, "clear the filter"},
    {'n', REQ_NEW, NULL, "new namespace: TCODE, contract, options, review, apply"},
    {'R', REQ_RUNS, NULL, "provisioning runs: resume, roll back (also :runs)"},
};
static const tui_keymap fleet_keymap = {"fleet", fleet_bindings, ARRAY_SIZE(fleet_bindings)};

typedef enum sort_key {
	SK_HEALTH,
	SK_TCODE,
	SK_CUSTOMER,
	SK_PRODUCT,
	SK_PROD,
	SK_DEV,
	SK_HYPNUS,
	SK_CLUSTER,
	SK_CAUSE,
	SK_COUNT
} sort_key;

static const char *const sort_names[SK_COUNT] = {
    "health", "tcode", "customer", "product", "prod", "dev", "hypnus", "cluster", "cause",
};

/* Columns in order; CLUSTER only when there are several clusters. */
static const tui_column all_cols[] = {
    {"TCODE", 6, 6, 0},	 {"CUSTOMER", 24, 12, 0}, {"PRODUCT", 7, 7, 0}, {"PROD", 9, 9, 0},
    {"DEV", 9, 9, 0},	 {"HYPNUS", 8, 8, 0},	  {"CLUSTER", 14, 6, 0}, {"CAUSE", 60, 20, 1},
};
static const sort_key col_sort[] = {SK_TCODE, SK_CUSTOMER, SK_PRODUCT, SK_PROD,
				    SK_DEV,   SK_HYPNUS,   SK_CLUSTER, SK_CAUSE};
#define COL_CLUSTER 6

#define MAX_TERMS 12

typedef enum term_kind { T_HEALTH, T_PRODUCT, T_ENV, T_CLUSTER, T_TEXT } term_kind;

/* One word of a filter; a leading '!' negates it. */
typedef struct term {
	term_kind kind;
	int neg;
	unsigned mask; /* T_HEALTH: bit per health_state */
	int value;     /* T_PRODUCT: model_product; T_ENV: tcode_env */
	char text[64]; /* T_CLUSTER, T_TEXT */
} term;

typedef struct fleet_filter {
	term t[MAX_TERMS];
	size_t n;
} fleet_filter;

typedef struct view_fleet {
	tui_table table;
	tui_column cols[ARRAY_SIZE(all_cols)];
	sort_key col_key[ARRAY_SIZE(all_cols)];
	size_t n_cols;
	uint32_t *rows; /* tenant indexes of a->snap (fleet_tenant_at) */
	size_t n_rows, cap;
	struct row_ref *refs; /* the rows as they are sorted (cap of them) */
	size_t counts[HEALTH_COUNT];
	fleet_filter flt;
	char flt_text[256];
	sort_key sort;
	int desc;
	char keep[TCODE_SIZE + 40]; /* tcode+cluster under the cursor, kept across rebuilds */
	view_fleet_seen seen;	    /* the rows in sight as drawn last */
} view_fleet;

static const char *product_name(int p)
{
	return p == MODEL_PRODUCT_ERP ? "erp" : p == MODEL_PRODUCT_ESOCIAL ? "esocial" : "-";
}

static const fleet_tenant *row_tenant(const app *a, size_t row)
{
	return fleet_tenant_at(a->snap, a->vf->rows[row]);
}

/* An environment's health as the PROD and DEV columns show, sort and filter
 * it: -1 when absent; unknown while its namespace is still on a page to come
 * (fleet_env_pending). */
static int env_health(const fleet_snapshot *s, const fleet_tenant *t, int env)
{
	if (t->env[env] < 0)
		return fleet_env_pending(s, t, env) ? HEALTH_UNKNOWN : -1;
	return (int)fleet_env_health(s, t->env[env])->state;
}

/* When the tenant's rows are from a snapshot: the snapshot's time; else 0. */
static int64_t tenant_snapshot_at(const fleet_snapshot *s, const fleet_tenant *t)
{
	for (int env = 0; env < 2; env++)
		if (fleet_env_from_snapshot(s, t->env[env]))
			return fleet_env(s, t->env[env])->fresh.seen_at;
	return 0;
}

void view_fleet_age(int64_t secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, size, "%llds", (long long)secs);
	else if (secs < 3600)
		snprintf(buf, size, "%lldm", (long long)(secs / 60));
	else if (secs < 86400)
		snprintf(buf, size, "%lldh", (long long)(secs / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(secs / 86400));
}

static const char *hypnus_word(const fleet_snapshot *s, const fleet_tenant *t)
{
	int32_t e = t->env[TCODE_ENV_PROD] >= 0 ? t->env[TCODE_ENV_PROD] : t->env[TCODE_ENV_DEV];

	if (e < 0 || !fleet_env(s, e)->hypnus.present)
		return "-";
	return hypnus_state_name((model_hypnus_state)fleet_env(s, e)->hypnus.state);
}

/* What a row shows here, view_fleet_seen_row (views/fleet_seen.c) hashes: a
 * column added or coloured from another field goes there too. */
static const char *cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	app *a = ctx;
	const fleet_snapshot *s = a->snap;
	const fleet_tenant *t = row_tenant(a, row);
	int64_t snap_at = tenant_snapshot_at(s, t);
	int32_t e;
	int h;

	switch (a->vf->col_key[col]) {
	case SK_TCODE:
		*attrs = tui_theme_attr(snap_at ? TUI_ROLE_DIM : view_health_role(t->health.state));
		return t->t.tcode;
	case SK_CUSTOMER:
		return t->t.customer;
	case SK_PRODUCT:
		return product_name(t->t.product);
	case SK_PROD:
	case SK_DEV:
		e = t->env[a->vf->col_key[col] == SK_PROD ? TCODE_ENV_PROD : TCODE_ENV_DEV];
		if (fleet_env_from_snapshot(s, e)) {
			/* what was seen then, dim: the cause says how long ago */
			*attrs = tui_theme_attr(TUI_ROLE_DIM);
			return health_name((health_state)fleet_env(s, e)->fresh.seen_state);
		}
		h = env_health(s, t, a->vf->col_key[col] == SK_PROD ? TCODE_ENV_PROD : TCODE_ENV_DEV);
		if (h < 0)
			return "-";
		*attrs = tui_theme_attr(view_health_role((health_state)h));
		return health_name((health_state)h);
	case SK_HYPNUS:
		return hypnus_word(s, t);
	case SK_CLUSTER:
		return t->t.cluster;
	case SK_CAUSE:
		if (snap_at) {
			char age[16];
			view_fleet_age(util_now_ms() / 1000 - snap_at, age, sizeof(age));
			*attrs = tui_theme_attr(TUI_ROLE_DIM);
			snprintf(buf, size, "stale %s: %s", age, t->health.cause);
			return buf;
		}
		*attrs = tui_theme_attr(view_health_role(t->health.state));
		return t->health.cause;
	default:
		return "";
	}
}

static void setup_columns(app *a)
{
	view_fleet *v = a->vf;
	int multi = a->snap && a->snap->n_clusters > 1;
	size_t i;

	v->n_cols = 0;
	for (i = 0; i < ARRAY_SIZE(all_cols); i++) {
		if (i == COL_CLUSTER && !multi)
			continue;
		v->cols[v->n_cols] = all_cols[i];
		v->col_key[v->n_cols++] = col_sort[i];
	}
	v->table.cols = v->cols;
	v->table.n_cols = v->n_cols;
	v->table.sort_col = -1;
	for (i = 0; i < v->n_cols; i++)
		if (v->col_key[i] == v->sort)
			v->table.sort_col = (int)i;
	v->table.sort_desc = v->desc;
}

void view_fleet_init(app *a)
{
	view_fleet *v = xcalloc(1, sizeof(*v));

	a->vf = v;
	v->sort = SK_HEALTH;
	tui_table_init(&v->table, all_cols, 0, cell, a);
	setup_columns(a);
}

void view_fleet_release(app *a)
{
	if (!a->vf)
		return;
	free(a->vf->rows);
	free(a->vf->refs);
	view_fleet_seen_release(&a->vf->seen);
	free(a->vf);
	a->vf = NULL;
}

const tui_keymap *view_fleet_keymap(void)
{
	return &fleet_keymap;
}

const char *view_fleet_sort_names(void)
{
	return "health, tcode, customer, product, prod, dev, hypnus, cluster, cause";
}

/* ---- filter ---- */

static int contains(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static int term_matches(const fleet_snapshot *s, const fleet_tenant *t, const term *w)
{
	int hp, hd;

	switch (w->kind) {
	case T_HEALTH:
		hp = env_health(s, t, TCODE_ENV_PROD);
		hd = env_health(s, t, TCODE_ENV_DEV);
		return (w->mask & (1u << t->health.state)) || (hp >= 0 && (w->mask & (1u << hp))) ||
		       (hd >= 0 && (w->mask & (1u << hd)));
	case T_PRODUCT:
		return t->t.product == w->value;
	case T_ENV:
		return t->env[w->value] >= 0;
	case T_CLUSTER:
		return contains(t->t.cluster, w->text);
	case T_TEXT:
		return contains(t->t.tcode, w->text) || contains(t->t.customer, w->text) ||
		       contains(t->health.cause, w->text);
	}
	return 0;
}

static int matches(const fleet_snapshot *s, const fleet_tenant *t, const fleet_filter *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (term_matches(s, t, &f->t[i]) == f->t[i].neg)
			return 0;
	return 1;
}

static int parse_term(char *word, term *w, char *err, size_t errsz)
{
	char *val;

	memset(w, 0, sizeof(*w));
	if (word[0] == '!') {
		w->neg = 1;
		word++;
	}
	if (!*word)
		return util_seterr(err, errsz, "'!' must be followed by a word, e.g. !health:sleeping");
	val = strchr(word, ':');
	if (!val || val == word) {
		w->kind = T_TEXT;
		util_strlcpy(w->text, word, sizeof(w->text));
		return 0;
	}
	*val++ = '\0';
	if (!strcasecmp(word, "health")) {
		char *save = NULL, *h;
		w->kind = T_HEALTH;
		for (h = strtok_r(val, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
			health_state hs;
			if (health_parse(h, &hs) < 0)
				return util_seterr(err, errsz,
						   "health:%.20s is not a health; use available, sleeping, "
						   "waking, degraded, down, blocked or unknown",
						   h);
			w->mask |= 1u << hs;
		}
		if (!w->mask)
			return util_seterr(err, errsz, "health: needs a value, e.g. health:down");
	} else if (!strcasecmp(word, "product")) {
		w->kind = T_PRODUCT;
		if (!strcasecmp(val, "erp"))
			w->value = MODEL_PRODUCT_ERP;
		else if (!strcasecmp(val, "esocial"))
			w->value = MODEL_PRODUCT_ESOCIAL;
		else
			return util_seterr(err, errsz, "product:%.20s: use product:erp or product:esocial",
					   val);
	} else if (!strcasecmp(word, "env")) {
		w->kind = T_ENV;
		if (!strcasecmp(val, "prod"))
			w->value = TCODE_ENV_PROD;
		else if (!strcasecmp(val, "dev"))
			w->value = TCODE_ENV_DEV;
		else
			return util_seterr(err, errsz, "env:%.20s: use env:prod or env:dev", val);
	} else if (!strcasecmp(word, "cluster")) {
		w->kind = T_CLUSTER;
		if (!*val)
			return util_seterr(err, errsz, "cluster: needs a name, e.g. cluster:prod-sp");
		util_strlcpy(w->text, val, sizeof(w->text));
	} else {
		return util_seterr(err, errsz,
				   "unknown filter key \"%.20s:\"; use health:, product:, env:, "
				   "cluster: or plain text",
				   word);
	}
	return 0;
}

static int parse_filter(const char *expr, fleet_filter *f, char *err, size_t errsz)
{
	const char *p = expr;

	memset(f, 0, sizeof(*f));
	for (;;) {
		char word[128];
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			return 0;
		if (len >= sizeof(word))
			return util_seterr(err, errsz, "filter word too long (at most %zu characters)",
					   sizeof(word) - 1);
		if (f->n >= MAX_TERMS)
			return util_seterr(err, errsz, "at most %d words in a filter", MAX_TERMS);
		memcpy(word, p, len);
		word[len] = '\0';
		p += len;
		if (parse_term(word, &f->t[f->n], err, errsz) < 0)
			return -1;
		f->n++;
	}
}

/* ---- rows ---- */

/* A row as it is sorted: its tenant found once, not in its block at each of
 * the sort's n log n comparisons (2-3% of the console's CPU under churn). */
typedef struct row_ref {
	const fleet_tenant *t;
	uint32_t i;
} row_ref;

static int sort_cmp(const void *x, const void *y, void *ctx)
{
	const app *a = ctx;
	const fleet_snapshot *s = a->snap;
	const fleet_tenant *p = ((const row_ref *)x)->t;
	const fleet_tenant *q = ((const row_ref *)y)->t;
	int c = 0, hp, hq;

	switch (a->vf->sort) {
	case SK_HEALTH:
		c = health_cmp_worst_first(p->health.state, q->health.state);
		break;
	case SK_TCODE:
		break;
	case SK_CUSTOMER:
		c = strcasecmp(p->t.customer, q->t.customer);
		break;
	case SK_PRODUCT:
		c = strcmp(product_name(p->t.product), product_name(q->t.product));
		break;
	case SK_PROD:
	case SK_DEV: {
		int e = a->vf->sort == SK_PROD ? TCODE_ENV_PROD : TCODE_ENV_DEV;
		hp = env_health(s, p, e);
		hq = env_health(s, q, e);
		if (hp < 0 || hq < 0)
			c = (hp < 0) - (hq < 0);
		else
			c = health_cmp_worst_first((health_state)hp, (health_state)hq);
		break;
	}
	case SK_HYPNUS:
		c = strcmp(hypnus_word(s, p), hypnus_word(s, q));
		break;
	case SK_CLUSTER:
		c = strcmp(p->t.cluster, q->t.cluster);
		break;
	case SK_CAUSE:
		c = strcmp(p->health.cause, q->health.cause);
		break;
	default:
		break;
	}
	if (a->vf->desc)
		c = -c;
	if (!c)
		c = strcmp(p->t.tcode, q->t.tcode);
	if (!c)
		c = strcmp(p->t.cluster, q->t.cluster);
	return c;
}

static void remember_cursor(app *a)
{
	view_fleet *v = a->vf;

	if (a->snap && v->n_rows && v->table.cursor < v->n_rows) {
		const fleet_tenant *t = row_tenant(a, v->table.cursor);
		snprintf(v->keep, sizeof(v->keep), "%s/%s", t->t.tcode, t->t.cluster);
	}
}

static void rebuild(app *a)
{
	view_fleet *v = a->vf;
	const fleet_snapshot *s = a->snap;
	size_t i;

	memset(v->counts, 0, sizeof(v->counts));
	v->n_rows = 0;
	setup_columns(a);
	if (!s) {
		tui_table_set_rows(&v->table, 0);
		return;
	}
	if (v->cap < s->n_tenants) {
		v->cap = s->n_tenants;
		v->rows = xrealloc(v->rows, v->cap * sizeof(*v->rows));
		v->refs = xrealloc(v->refs, v->cap * sizeof(*v->refs));
	}
	for (i = 0; i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);

		if (!matches(s, t, &v->flt))
			continue;
		v->counts[t->health.state < HEALTH_COUNT ? t->health.state : HEALTH_UNKNOWN]++;
		v->refs[v->n_rows++] = (row_ref){t, (uint32_t)i};
	}
	if (v->n_rows) /* refs is NULL while no tenant was ever known */
		qsort_r(v->refs, v->n_rows, sizeof(*v->refs), sort_cmp, a);
	for (i = 0; i < v->n_rows; i++)
		v->rows[i] = v->refs[i].i;
	tui_table_set_rows(&v->table, v->n_rows);
	if (v->keep[0]) {
		for (i = 0; i < v->n_rows; i++) {
			const fleet_tenant *t = row_tenant(a, i);
			char key[sizeof(v->keep)];
			snprintf(key, sizeof(key), "%s/%s", t->t.tcode, t->t.cluster);
			if (!strcmp(key, v->keep)) {
				tui_table_set_cursor(&v->table, i);
				break;
			}
		}
	}
}

int view_fleet_update(app *a)
{
	view_fleet *v = a->vf;
	size_t first, n;

	rebuild(a);
	if (!a->snap)
		return 0;
	tui_table_visible(&v->table, &first, &n);
	return view_fleet_seen_changed(&v->seen, a->snap, v->rows, first, n, v->table.cursor)
		   ? TUI_URGENT
		   : 0;
}

int view_fleet_set_filter(app *a, const char *expr, char *err, size_t errsz)
{
	fleet_filter f;

	if (parse_filter(expr, &f, err, errsz) < 0)
		return -1;
	remember_cursor(a);
	a->vf->flt = f;
	util_strlcpy(a->vf->flt_text, expr, sizeof(a->vf->flt_text));
	rebuild(a);
	return 0;
}

const char *view_fleet_filter(const app *a)
{
	return a->vf->flt_text;
}

size_t view_fleet_shown(const app *a)
{
	return a->vf->n_rows;
}

int view_fleet_set_sort(app *a, const char *name, int desc, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < SK_COUNT; i++)
		if (!strcasecmp(name, sort_names[i])) {
			remember_cursor(a);
			a->vf->sort = (sort_key)i;
			a->vf->desc = desc;
			rebuild(a);
			return 0;
		}
	return util_seterr(err, errsz, "cannot sort by \"%.20s\"; use %s", name,
			   view_fleet_sort_names());
}

int view_fleet_jump(app *a, const char *prefix)
{
	view_fleet *v = a->vf;
	char want[TCODE_SIZE + 2];
	size_t i;

	if (prefix[0] >= '0' && prefix[0] <= '9')
		snprintf(want, sizeof(want), "T%.*s", TCODE_SIZE - 1, prefix);
	else
		util_strlcpy(want, prefix, sizeof(want));
	for (i = 0; i < v->n_rows; i++)
		if (!strncasecmp(row_tenant(a, i)->t.tcode, want, strlen(want))) {
			tui_table_set_cursor(&v->table, i);
			return 0;
		}
	return -1;
}

const fleet_tenant *view_fleet_current_tenant(const app *a)
{
	const view_fleet *v = a->vf;

	if (!a->snap || !v->n_rows || v->table.cursor >= v->n_rows)
		return NULL;
	return row_tenant(a, v->table.cursor);
}

const char *view_fleet_current(const app *a)
{
	const fleet_tenant *t = view_fleet_current_tenant(a);

	return t ? t->t.tcode : NULL;
}

/* ---- drawing and keys ---- */

static void draw_counts(app *a, int y, int width)
{
	view_fleet *v = a->vf;
	static const health_state order[] = {HEALTH_DOWN,     HEALTH_BLOCKED, HEALTH_UNKNOWN,
					     HEALTH_DEGRADED, HEALTH_WAKING,  HEALTH_SLEEPING,
					     HEALTH_AVAILABLE};
	int x = 0;
	size_t i;
	char buf[160], age[16];
	int64_t snap_at = 0;

	tui_text_fill(stdscr, y, 0, width, 0);
	for (i = 0; i < a->snap->n_clusters; i++)
		if (a->snap->clusters[i].snapshot_at > snap_at)
			snap_at = a->snap->clusters[i].snapshot_at;
	if (snap_at) {
		/* nothing counted from a snapshot: its rows are not health now */
		view_fleet_age(util_now_ms() / 1000 - snap_at, age, sizeof(age));
		snprintf(buf, sizeof(buf), "STALE: the fleet as last seen %s ago; loading the cluster%s...",
			 age, a->snap->n_clusters == 1 ? "" : "s");
		tui_text_put_raw(stdscr, y, 0, width, buf, tui_theme_attr(TUI_ROLE_BANNER), 0);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(order) && x < width; i++) {
		snprintf(buf, sizeof(buf), "%zu %s", v->counts[order[i]], health_name(order[i]));
		x += tui_text_put_raw(stdscr, y, x, width - x, buf,
				      v->counts[order[i]] ? tui_theme_attr(view_health_role(order[i]))
							  : tui_theme_attr(TUI_ROLE_DIM),
				      0);
		if (x + 2 < width)
			x += tui_text_put_raw(stdscr, y, x, 2, "  ", 0, 0);
	}
}

/* An empty fleet in words that stay true when the clusters were not read. */
static const char *empty_text(const fleet_snapshot *s)
{
	size_t i, unread = 0;

	for (i = 0; i < s->n_clusters; i++)
		unread += s->clusters[i].reach != FLEET_OK || !s->clusters[i].synced;
	if (unread && unread == s->n_clusters)
		return s->n_clusters == 1 ? "No tenants known: the cluster has not been read (see above)."
					  : "No tenants known: no cluster has been read (see above).";
	if (unread)
		return "No tenants in the clusters read so far.";
	return s->n_clusters == 1 ? "No tenants in the cluster." : "No tenants in the clusters.";
}

void view_fleet_draw(app *a, int y, int h, int width)
{
	view_fleet *v = a->vf;
	size_t first, n;

	if (!a->snap) {
		char buf[128];
		snprintf(buf, sizeof(buf), "Loading the fleet from %zu cluster%s...",
			 a->o->n_clusters, a->o->n_clusters == 1 ? "" : "s");
		tui_text_put_raw(stdscr, y + h / 2, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	draw_counts(a, y, width);
	if (!v->n_rows) {
		tui_table_draw(&v->table, stdscr, y + 1, 0, 1, width);
		tui_text_put_raw(stdscr, y + 3, 2, width - 2,
				 v->flt_text[0] ? "No tenant matches the filter (Esc clears it)."
						: empty_text(a->snap),
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	} else {
		tui_table_draw(&v->table, stdscr, y + 1, 0, h - 1, width);
	}
	tui_table_visible(&v->table, &first, &n);
	view_fleet_seen_record(&v->seen, a->snap, v->rows, first, n, v->table.cursor);
}

int view_fleet_key(app *a, int key)
{
	view_fleet *v = a->vf;
	char err[200];
	int req = tui_keymap_find(&fleet_keymap, key), r;

	if ((r = tui_table_key(&v->table, key)))
		return r;
	if (key == 't' || (key >= '0' && key <= '9'))
		req = REQ_JUMP;
	switch (req) {
	case REQ_OPEN: {
		const char *tc = view_fleet_current(a);
		if (tc)
			app_open_tenant(a, tc);
		return TUI_HANDLED | TUI_REDRAW;
	}
	case REQ_FILTER:
		a->input = APP_INPUT_FILTER;
		util_strlcpy(a->input_prev, v->flt_text, sizeof(a->input_prev));
		a->input_len = 0;
		a->input_buf[0] = '\0';
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_SORT_NEXT:
	case REQ_SORT_REVERSE:
		remember_cursor(a);
		if (req == REQ_SORT_NEXT) {
			v->sort = (sort_key)((v->sort + 1) % SK_COUNT);
			if (v->sort == SK_CLUSTER && !(a->snap && a->snap->n_clusters > 1))
				v->sort = (sort_key)((v->sort + 1) % SK_COUNT);
		} else {
			v->desc = !v->desc;
		}
		rebuild(a);
		app_message(a, 0, "sorted by %s%s", sort_names[v->sort], v->desc ? ", reversed" : "");
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_JUMP:
		a->input = APP_INPUT_JUMP;
		a->input_buf[0] = key == 't' ? 'T' : (char)key;
		a->input_buf[1] = '\0';
		a->input_len = 1;
		if (key != 'T' && key != 't')
			view_fleet_jump(a, a->input_buf);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_NEW:
		view_wizard_open(a);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RUNS:
		view_runs_open(a);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_CLEAR:
		if (v->flt_text[0])
			view_fleet_set_filter(a, "", err, sizeof(err));
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}
