/* views/logs.c — pick a pod, follow its log. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/pod_containers.h"
#include "tui/logpane.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/logs.h"
#include "util/util.h"

#define RING_LINES 20000
#define RING_BYTES (8u << 20) /* a chatty pod never takes more than this */
#define LINE_BYTES (16u << 10)
#define TAIL_LINES 1000
#define MAX_CONTAINERS 8

enum { REQ_BACK, REQ_SEARCH, REQ_CONTAINER, REQ_FOLLOW, REQ_WRAP, REQ_NEXT, REQ_PREV };

static const tui_binding logs_bindings[] = {
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the pod list, then to the tenant"},
    {'/', REQ_SEARCH, "Search", "search the log (n next, N previous)"},
    {'f', REQ_FOLLOW, "Follow", "follow the end or pause where you are"},
    {'w', REQ_WRAP, "Wrap", "wrap long lines on or off (Left/Right scroll when off)"},
    {'c', REQ_CONTAINER, "Container", "switch to the pod's next container"},
    {'n', REQ_NEXT, NULL, "next match"},
    {'N', REQ_PREV, NULL, "previous match"},
};
static const tui_keymap logs_keymap = {"logs", logs_bindings, ARRAY_SIZE(logs_bindings)};

typedef struct pod_ref {
	char ns[64], name[64], phase[12];
	int restarts;
} pod_ref;

/* One stream; shared by the UI and its worker. A stream the UI stops is
 * cancelled and set aside, never waited for on the UI thread (its request may
 * hang): once cancelled it touches the ring no more, and it is joined when it
 * has ended, or when the screen is released. */
typedef struct stream {
	pthread_t th;
	atomic_int cancel;	/* set under mu: no line reaches the ring after it */
	struct stream *next;	/* in view_logs.stopped */
	k8s_client *client;
	char ns[64], pod[64], container[64];
	tui_logring *ring;
	pthread_mutex_t mu;
	int done;		/* the worker returned */
	char end[300];		/* why it ended, "" while it runs */
	int n_containers;
	char containers[MAX_CONTAINERS][64];
} stream;

typedef struct view_logs {
	char tcode[TCODE_SIZE];
	char cluster[64];
	pod_ref *pods;
	size_t n_pods;
	int sel, picking;
	char title[160];
	tui_logring ring;
	tui_logpane pane;
	stream *st; /* NULL: not following */
	stream *stopped; /* cancelled, not yet joined */
	int searching;
	char search[128];
	size_t search_len;
} view_logs;

static int push_line(void *ctx, const char *line, size_t len)
{
	stream *s = ctx;
	int pushed = 0, stop;

	pthread_mutex_lock(&s->mu);
	stop = atomic_load(&s->cancel);
	if (!stop)
		pushed = tui_logring_push(s->ring, line, len);
	pthread_mutex_unlock(&s->mu);
	if (pushed)
		tui_loop_wake();
	return stop;
}

static void *stream_run(void *arg)
{
	stream *s = arg;
	char names[MAX_CONTAINERS][POD_CONTAINER_NAME_SIZE];
	k8s_err err = {0};
	char end[300] = "";
	int i, n = pod_containers(s->client, s->ns, s->pod, names, MAX_CONTAINERS, NULL, &s->cancel,
				  &err);

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < n; i++)
		util_strlcpy(s->containers[s->n_containers++], names[i], sizeof(s->containers[0]));
	if (!s->container[0] && s->n_containers > 0)
		util_strlcpy(s->container, s->containers[0], sizeof(s->container));
	pthread_mutex_unlock(&s->mu);
	tui_loop_wake();

	memset(&err, 0, sizeof(err));
	if (pod_log_read(s->client, s->ns, s->pod, s->container[0] ? s->container : NULL, TAIL_LINES, 1,
			 push_line, s, &s->cancel, &err) < 0)
		snprintf(end, sizeof(end), "log stream failed: %.200s", err.msg);
	else if (!atomic_load(&s->cancel))
		util_strlcpy(end, "the log ended (the container stopped)", sizeof(end));
	pthread_mutex_lock(&s->mu);
	util_strlcpy(s->end, end, sizeof(s->end));
	s->done = 1;
	pthread_mutex_unlock(&s->mu);
	tui_loop_wake();
	return NULL;
}

static void stream_free(stream *s)
{
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Joins the stopped streams that have ended (all of them with all: they were
 * cancelled, so they end soon). */
static void reap_stopped(view_logs *v, int all)
{
	stream **pp = &v->stopped, *s;

	while ((s = *pp)) {
		int done;

		pthread_mutex_lock(&s->mu);
		done = s->done;
		pthread_mutex_unlock(&s->mu);
		if (done || all) {
			*pp = s->next;
			stream_free(s);
		} else {
			pp = &s->next;
		}
	}
}

/* Stops following: the stream is cancelled and set aside, not waited for. */
static void stop_stream(view_logs *v)
{
	stream *s = v->st;

	reap_stopped(v, 0);
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->cancel, 1);
	pthread_mutex_unlock(&s->mu);
	s->next = v->stopped;
	v->stopped = s;
	v->st = NULL;
}

void view_logs_init(app *a)
{
	view_logs *v = xcalloc(1, sizeof(*v));

	tui_logring_init(&v->ring, RING_LINES, RING_BYTES, LINE_BYTES);
	tui_logpane_init(&v->pane, &v->ring);
	a->vl = v;
}

void view_logs_release(app *a)
{
	view_logs *v = a->vl;

	if (!v)
		return;
	stop_stream(v);
	reap_stopped(v, 1);
	tui_logpane_release(&v->pane);
	tui_logring_release(&v->ring);
	free(v->pods);
	free(v);
	a->vl = NULL;
}

void view_logs_pick(app *a, const char *tcode, const fleet_snapshot *s)
{
	view_logs *v = a->vl;

	stop_stream(v);
	free(v->pods);
	v->pods = NULL;
	v->n_pods = 0;
	v->sel = 0;
	v->picking = 1;
	v->cluster[0] = '\0';
	util_strlcpy(v->tcode, tcode, sizeof(v->tcode));
	snprintf(v->title, sizeof(v->title), "%s: pick a pod", tcode);
	if (!s)
		return;
	for (size_t i = 0; i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);

		if (!strcmp(t->t.tcode, tcode))
			util_strlcpy(v->cluster, s->clusters[t->cluster].name, sizeof(v->cluster));
	}
	v->pods = xcalloc(s->n_pods ? s->n_pods : 1, sizeof(*v->pods));
	for (size_t i = 0; i < s->n_pods; i++) {
		pod_ref *p = &v->pods[v->n_pods++];
		util_strlcpy(p->ns, s->pods[i].m.ns, sizeof(p->ns));
		util_strlcpy(p->name, s->pods[i].m.name, sizeof(p->name));
		util_strlcpy(p->phase, s->pods[i].phase, sizeof(p->phase));
		p->restarts = s->pods[i].restarts;
	}
}

static k8s_client *client_named(app *a, const char *cluster)
{
	for (size_t i = 0; i < a->o->n_clusters; i++)
		if (!cluster[0] || !strcmp(a->o->clusters[i].name, cluster))
			return a->o->clusters[i].client;
	return NULL;
}

int view_logs_follow(app *a, const char *ns, const char *pod, const char *container)
{
	view_logs *v = a->vl;
	stream *s;
	k8s_client *c = client_named(a, v->cluster);

	if (!c) {
		app_message(a, 1, "no usable client for cluster %s: check the kubeconfig", v->cluster);
		return -1;
	}
	stop_stream(v);
	tui_logring_clear(&v->ring);
	tui_logpane_set_follow(&v->pane, 1);
	s = xcalloc(1, sizeof(*s));
	s->client = c;
	s->ring = &v->ring;
	util_strlcpy(s->ns, ns, sizeof(s->ns));
	util_strlcpy(s->pod, pod, sizeof(s->pod));
	util_strlcpy(s->container, container ? container : "", sizeof(s->container));
	pthread_mutex_init(&s->mu, NULL);
	if (pthread_create(&s->th, NULL, stream_run, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		app_message(a, 1, "cannot start a thread to read the log");
		return -1;
	}
	v->st = s;
	v->picking = 0;
	snprintf(v->title, sizeof(v->title), "%s/%s", ns, pod);
	return 0;
}

int view_logs_update(app *a)
{
	view_logs *v = a->vl;

	reap_stopped(v, 0);
	if (v->st && a->screen != APP_LOGS) {
		stop_stream(v); /* left the screen (q, :tenant): no reading in the background */
		v->picking = 1;
		return 0;
	}
	return v->st && a->screen == APP_LOGS ? TUI_REDRAW : 0;
}

int view_logs_busy(app *a)
{
	return 0; /* a followed log never settles: scripts must not wait for it */
}

const char *view_logs_title(const app *a)
{
	return a->vl->title;
}

const tui_keymap *view_logs_keymap(void)
{
	return &logs_keymap;
}

static void draw_pick(app *a, int y, int h, int width)
{
	view_logs *v = a->vl;
	char buf[200];

	if (!v->n_pods) {
		tui_text_put_raw(stdscr, y + 1, 2, width - 2,
				 "No pods known yet: wait for the tenant screen to load them, then press l again.",
				 tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	tui_text_put_raw(stdscr, y, 1, width - 1, "Pick a pod (Enter follows its log)",
			 tui_theme_attr(TUI_ROLE_SECTION), 0);
	for (int i = 0; i < (int)v->n_pods && i < h - 1; i++) {
		int top = v->sel >= h - 1 ? v->sel - (h - 2) : 0, k = top + i;
		const pod_ref *p;
		if (k >= (int)v->n_pods)
			break;
		p = &v->pods[k];
		snprintf(buf, sizeof(buf), "%-12s %-42s %-9s %d restarts", p->ns, p->name, p->phase,
			 p->restarts);
		tui_text_put(stdscr, y + 1 + i, 1, width - 2, buf,
			     tui_theme_attr(k == v->sel ? TUI_ROLE_SELECTED : TUI_ROLE_NORMAL), 1);
	}
}

void view_logs_draw(app *a, int y, int h, int width)
{
	view_logs *v = a->vl;
	tui_logpane_style ps = {0};
	strbuf sb;
	int done;
	char end[300], cont[64];

	if (v->picking || !v->st) {
		draw_pick(a, y, h, width);
		return;
	}
	pthread_mutex_lock(&v->st->mu);
	done = v->st->done;
	util_strlcpy(end, v->st->end, sizeof(end));
	util_strlcpy(cont, v->st->container, sizeof(cont));
	pthread_mutex_unlock(&v->st->mu);

	ps.text = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
	ps.match = (attr_t)tui_theme_attr(TUI_ROLE_SELECTED) | A_BOLD;
	ps.ascii = tui_term_ascii();
	if (h < 3)
		return;
	tui_logpane_draw(&v->pane, stdscr, y, 0, h - 1, width, &ps);

	sb_init(&sb, 160);
	if (v->searching) {
		sb_adds(&sb, "/");
		sb_adds(&sb, v->search);
		tui_text_fill(stdscr, y + h - 1, 0, width, tui_theme_attr(TUI_ROLE_CMDLINE));
		tui_text_put(stdscr, y + h - 1, 0, width, sb.buf, tui_theme_attr(TUI_ROLE_CMDLINE), 1);
	} else {
		sb_adds(&sb, " ");
		if (cont[0])
			sb_addf(&sb, "[%s]  ", cont);
		tui_logpane_status(&v->pane, &sb);
		if (done)
			sb_addf(&sb, "  %s", end[0] ? end : "stopped");
		tui_text_put(stdscr, y + h - 1, 0, width, sb.buf,
			     tui_theme_attr(done && end[0] ? TUI_ROLE_BANNER : TUI_ROLE_STATUS), 1);
	}
	sb_release(&sb);
}

static int search_key(app *a, int key)
{
	view_logs *v = a->vl;

	if (key == TUI_KEY_ESC) {
		v->searching = 0;
	} else if (key == TUI_KEY_ENTER || key == '\n') {
		v->searching = 0;
		if (tui_logpane_search(&v->pane, v->search, 1) == LOGPANE_NOT_FOUND && v->search[0])
			app_message(a, 1, "not found: %s", v->search);
	} else if (key == 127 || key == TUI_KEY_CTRL('h') || key == TUI_KEY_FN(KEY_BACKSPACE)) {
		if (v->search_len > 0)
			v->search[--v->search_len] = '\0';
	} else if (key >= 0x20 && key < 0x7f && v->search_len + 1 < sizeof(v->search)) {
		v->search[v->search_len++] = (char)key;
		v->search[v->search_len] = '\0';
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static int next_container(app *a)
{
	view_logs *v = a->vl;
	stream *s = v->st;
	char ns[64], pod[64], next[64] = "";
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->n_containers;
	for (int i = 0; i < n; i++)
		if (!strcmp(s->containers[i], s->container))
			util_strlcpy(next, s->containers[(i + 1) % n], sizeof(next));
	pthread_mutex_unlock(&s->mu);
	if (n < 2) {
		app_message(a, 0, "this pod has %s container", n == 1 ? "only one" : "no known");
		return TUI_HANDLED | TUI_REDRAW;
	}
	util_strlcpy(ns, s->ns, sizeof(ns));
	util_strlcpy(pod, s->pod, sizeof(pod));
	view_logs_follow(a, ns, pod, next);
	app_message(a, 0, "container %s", next);
	return TUI_HANDLED | TUI_REDRAW;
}

int view_logs_key(app *a, int key)
{
	view_logs *v = a->vl;
	int wk = TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;

	if (v->picking || !v->st) {
		switch (wk) {
		case KEY_UP:
		case 'k':
			if (v->sel > 0)
				v->sel--;
			return TUI_HANDLED | TUI_REDRAW;
		case KEY_DOWN:
		case 'j':
			if (v->sel + 1 < (int)v->n_pods)
				v->sel++;
			return TUI_HANDLED | TUI_REDRAW;
		case TUI_KEY_ENTER:
		case '\n':
		case KEY_ENTER:
			if (v->n_pods)
				view_logs_follow(a, v->pods[v->sel].ns, v->pods[v->sel].name, NULL);
			return TUI_HANDLED | TUI_REDRAW;
		case TUI_KEY_ESC:
			a->screen = APP_TENANT;
			return TUI_HANDLED | TUI_REDRAW;
		}
		return 0;
	}
	if (v->searching)
		return search_key(a, key);
	switch (tui_keymap_find(&logs_keymap, key)) {
	case REQ_BACK:
		stop_stream(v);
		v->picking = 1;
		snprintf(v->title, sizeof(v->title), "%s: pick a pod", v->tcode);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_SEARCH:
		v->searching = 1;
		v->search[0] = '\0';
		v->search_len = 0;
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_CONTAINER:
		return next_container(a);
	}
	switch (tui_logpane_key(&v->pane, wk)) {
	case LOGPANE_NOT_FOUND:
		app_message(a, 1, "not found: %s", v->pane.needle);
		return TUI_HANDLED | TUI_REDRAW;
	case LOGPANE_HANDLED:
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}
