/* k8s/list.c — a paged list whose next page is asked for while this one comes in.
 *
 * A list of 5,000 tenants' Deployments is 131 pages, each asked for with the
 * continue token of the page before. Asked for and read in turn, the server's
 * time for each page, its transfer and the client's parse of it add up. Here,
 * once a second page says there is more, two fetcher threads take turns: each
 * asks for a page as soon as the page before has told its token, which comes in
 * the answer's first bytes (jscan_list_head), so the server makes the next page
 * while this one is still coming in; each then finds its page's items
 * (jscan_page). Meanwhile the calling thread builds the items of the page it
 * holds and gives them to fn. At most four pages are held at once: the one
 * read, one waiting, two coming in. Items reach fn in the list's order, on the
 * calling thread, as before. A page whose head did not tell its token (the items
 * before the metadata) tells it once it is whole; a page whose whole answer
 * says otherwise than its head fails the list.
 * A page read is given back and its buffer holds a page that follows: a page is
 * about a megabyte, and a fresh megabyte costs a fault for each 4 KB it fills.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/client.h"
#include "k8s/client_int.h"
#include "k8s/jscan.h"
#include "util/trace.h"
#include "util/util.h"

#define FETCHERS 2
#define AHEAD 3		       /* pages asked for beyond the one read */
#define HEAD_MAX (256 * 1024) /* bytes of an answer looked at for its token */

typedef struct page {
	strbuf answer;
	size_t *spans, n_items;
	cJSON *meta;
	int more;      /* a continue token came: another page follows */
	int restarted; /* the list started over before this page (410 Gone) */
	int rc;	       /* -1: failed, err says why */
	k8s_err err;
} page;

typedef struct pager {
	k8s_client *c;
	const char *path;
	const k8s_list_opts *opts;
	atomic_int stop; /* the caller is done: the fetchers give up and end */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu once the fetchers run */
	char *cont;	    /* the next page's token (NULL: the first page) */
	int have_next;	    /* a page is still to ask for, with cont */
	int no_more;	    /* the last page, or a failure, came: nothing more to ask */
	unsigned next_seq;  /* that page's number (the first is 1) */
	unsigned held;	    /* the number of the page the caller reads */
	unsigned hand_seq;  /* the page to hand over next */
	page *ready;	    /* fetched, handed over, not taken yet */
	int fetchers, ended;
	int restarts;
	size_t hint; /* the answer buffer for the next page: the last one's size */
	strbuf spare[AHEAD + 1]; /* the buffers of pages read, for the next ones */
	int n_spare;
} pager;

/* Frees pg, its buffer kept for a page to come; mu not held. */
static void page_free(pager *p, page *pg)
{
	if (!pg)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->n_spare < (int)ARRAY_SIZE(p->spare) && pg->answer.buf)
		p->spare[p->n_spare++] = pg->answer;
	else
		sb_release(&pg->answer);
	pthread_mutex_unlock(&p->mu);
	free(pg->spans);
	cJSON_Delete(pg->meta);
	free(pg);
}

static int list_cancelled(const k8s_list_opts *o)
{
	return o && o->cancel && atomic_load(o->cancel);
}

/* The page after this one: token (taken over), or none when last. */
static void tell_next(pager *p, char *token, int last)
{
	pthread_mutex_lock(&p->mu);
	free(p->cont);
	p->cont = token;
	p->have_next = !last;
	p->no_more |= last;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* A page's answer as it comes in: its token told as soon as its head has it. */
typedef struct head {
	pager *p;
	int told;
	char *token; /* what was told, to check against the whole page */
} head;

static int on_head(void *ctx, const char *buf, size_t len)
{
	head *h = ctx;
	char *tok;
	int r;

	if (h->told)
		return 1;
	r = jscan_list_head(buf, len, &tok);
	if (r == 0)
		return len > HEAD_MAX;
	if (r < 0)
		return 1;
	h->told = 1;
	h->token = tok ? xstrdup(tok) : NULL;
	tell_next(h->p, tok, !tok);
	return 1;
}

static int same_token(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* Asks for the page at cont (the first when NULL; taken over) and scans it;
 * the page after it is told (tell_next), from the answer's head when early. */
static page *fetch(pager *p, char *cont, int early)
{
	const k8s_list_opts *o = p->opts;
	page *pg = xcalloc(1, sizeof(*pg));
	head h = {p, 0, NULL};
	const cJSON *v;
	const char *want;
	size_t hint;

	pthread_mutex_lock(&p->mu);
	if (p->n_spare)
		pg->answer = p->spare[--p->n_spare]; /* the answer goes in it, or replaces it */
	hint = p->hint;
	pthread_mutex_unlock(&p->mu);
	if (!pg->answer.buf)
		sb_init(&pg->answer, 0);
	for (;;) {
		strbuf q;
		int restart;

		if (list_cancelled(o)) {
			pg->rc = k8s_err_set(&pg->err, 0, "cancelled");
			goto failed;
		}
		sb_init(&q, 256);
		sb_addf(&q, "%s%climit=%d", p->path, strchr(p->path, '?') ? '&' : '?',
			o && o->limit > 0 ? o->limit : 500);
		k8s_query_add(&q, "labelSelector", o ? o->label_selector : NULL);
		k8s_query_add(&q, "fieldSelector", o ? o->field_selector : NULL);
		k8s_query_add(&q, "continue", cont);
		pg->rc = k8s_get_page(p->c, q.buf, o ? o->accept : NULL, o ? o->cancel : NULL,
				      &p->stop, hint, early ? on_head : NULL, &h, &pg->answer,
				      &pg->err);
		sb_release(&q);
		if (!pg->rc)
			break;
		/* the snapshot behind the continue token is gone: start over (not
		 * once the next page has been asked for with this one's token) */
		pthread_mutex_lock(&p->mu);
		restart = pg->err.http == 410 && cont && !h.told && p->restarts < 3;
		p->restarts += restart;
		pthread_mutex_unlock(&p->mu);
		if (!restart)
			goto failed;
		pg->restarted = 1;
		free(cont);
		cont = NULL;
	}
	free(cont);
	cont = NULL;
	pthread_mutex_lock(&p->mu);
	p->hint = pg->answer.len + pg->answer.len / 8;
	pthread_mutex_unlock(&p->mu);
	if (jscan_page(pg->answer.buf, pg->answer.len, &pg->spans, &pg->n_items, &pg->meta)) {
		pg->rc = k8s_err_set(&pg->err, 200, "GET %s: the answer is not JSON", p->path);
		goto failed;
	}
	v = cJSON_GetObjectItemCaseSensitive(pg->meta, "continue");
	want = cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
	if (h.told && !same_token(h.token, want)) {
		pg->rc = k8s_err_set(&pg->err, 200, "GET %s: the page's continue token changed "
					 "while it came in; list again", p->path);
		goto failed;
	}
	pg->more = want != NULL;
	if (!h.told)
		tell_next(p, want ? xstrdup(want) : NULL, !want);
	free(h.token);
	return pg;
failed:
	free(cont);
	free(h.token);
	tell_next(p, NULL, 1);
	return pg;
}

static void *fetcher(void *arg)
{
	pager *p = arg;

	util_thread_name("list-ahead");
	for (;;) {
		unsigned seq;
		char *cont;
		page *pg;

		pthread_mutex_lock(&p->mu);
		while (!atomic_load(&p->stop) && !p->no_more &&
		       (!p->have_next || p->next_seq > p->held + AHEAD))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop) || p->no_more) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		seq = p->next_seq++;
		cont = p->cont;
		p->cont = NULL;
		p->have_next = 0;
		pthread_mutex_unlock(&p->mu);

		pg = fetch(p, cont, 1);

		pthread_mutex_lock(&p->mu); /* handed over in the list's order */
		while (!atomic_load(&p->stop) && (p->hand_seq != seq || p->ready))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop)) {
			pthread_mutex_unlock(&p->mu);
			page_free(p, pg);
			break;
		}
		p->ready = pg;
		p->hand_seq++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->ended++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The fetchers' next page: one always comes (a failed one at worst) before they
 * end, unless told to stop. */
static page *take(pager *p)
{
	page *pg;

	pthread_mutex_lock(&p->mu);
	while (!p->ready && p->ended < p->fetchers)
		pthread_cond_wait(&p->cv, &p->mu);
	pg = p->ready;
	p->ready = NULL;
	if (pg)
		p->held++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return pg;
}

/* The next page on the calling thread, before the fetchers run. */
static page *fetch_here(pager *p)
{
	char *cont = p->cont;

	p->cont = NULL;
	p->have_next = 0;
	p->held = p->next_seq++;
	return fetch(p, cont, 0);
}

int k8s_list(k8s_client *c, const char *path, const k8s_list_opts *opts, k8s_item_fn fn, void *ctx,
	     char *rv, size_t rvsz, k8s_err *err)
{
	pager p;
	pthread_t th[FETCHERS];
	int ret = -1, first = 1, pages = 0;
	page *pg;
	k8s_err local;

	if (!err)
		err = &local;
	k8s_err_clear(err);
	if (rv && rvsz)
		rv[0] = '\0';
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.path = path;
	p.opts = opts;
	atomic_init(&p.stop, 0);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.next_seq = 1;
	pg = fetch_here(&p);
	for (;;) {
		const cJSON *v;
		size_t i;
		int more;

		if (!pg) { /* (the fetchers ended without a page: not expected) */
			k8s_err_set(err, 0, "GET %s: the list ended early", path);
			goto out;
		}
		if (pg->restarted) {
			first = 1;
			if (opts && opts->on_restart)
				opts->on_restart(ctx);
		}
		if (pg->rc) {
			*err = pg->err;
			goto out;
		}
		/* From the second page on, when there is a third: the next pages come in
		 * while this one is read (a list of one or two pages is not worth a
		 * thread, and most lists are) */
		if (pg->more && !p.fetchers && ++pages >= 2) {
			p.hand_seq = p.next_seq;
			while (p.fetchers < FETCHERS &&
			       pthread_create(&th[p.fetchers], NULL, fetcher, &p) == 0)
				p.fetchers++;
		}
		if (first)
			util_trace("list first page in: %s (%zu items)", path, pg->n_items);
		if (first && opts && opts->on_begin)
			opts->on_begin(ctx);
		if (first && opts && opts->on_total) {
			v = cJSON_GetObjectItemCaseSensitive(pg->meta, "remainingItemCount");
			opts->on_total(ctx, pg->n_items + (cJSON_IsNumber(v) && v->valuedouble > 0
								   ? (size_t)v->valuedouble
								   : 0));
		}
		first = 0;
		for (i = 0; i < pg->n_items; i++) {
			const char *ip = pg->answer.buf + pg->spans[2 * i];
			const char *ie = pg->answer.buf + pg->spans[2 * i + 1];
			cJSON *it;
			int stop;
			if (opts && opts->item_text && opts->item_text(ctx, ip, ie))
				continue;
			it = jscan_build(ip, ie, opts ? opts->keep : NULL);
			if (!it) {
				k8s_err_set(err, 200, "GET %s: the answer is not JSON", path);
				stop = -1;
			} else {
				stop = fn ? fn(ctx, it) : 0;
			}
			cJSON_Delete(it);
			if (stop) {
				ret = stop;
				goto out;
			}
		}
		v = cJSON_GetObjectItemCaseSensitive(pg->meta, "resourceVersion");
		if (rv && rvsz && cJSON_IsString(v))
			util_strlcpy(rv, v->valuestring, rvsz);
		more = pg->more;
		page_free(&p, pg);
		pg = NULL;
		if (!more)
			break;
		if (list_cancelled(opts)) {
			k8s_err_set(err, 0, "cancelled");
			goto out;
		}
		pg = p.fetchers ? take(&p) : fetch_here(&p);
	}
	ret = 0;
out:
	page_free(&p, pg);
	if (p.fetchers) {
		pthread_mutex_lock(&p.mu);
		atomic_store(&p.stop, 1); /* also gives up a page being asked for */
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		for (int i = 0; i < p.fetchers; i++)
			pthread_join(th[i], NULL);
		page_free(&p, p.ready);
	}
	while (p.n_spare)
		sb_release(&p.spare[--p.n_spare]);
	free(p.cont);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return ret;
}
