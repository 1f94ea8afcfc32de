/* k8s/list.c — a paged list whose next page is asked for while this one is read.
 *
 * A list of 5,000 tenants' Deployments is 131 pages, each asked for with the
 * continue token of the page before. Asked for and read in turn, the server's
 * time for each page and the client's parse of it add up. Here, once a second
 * page says there is more, a fetcher thread asks for the pages that follow, one
 * ahead, and finds each page's items and token (jscan_page), while the calling
 * thread builds the items of the page it holds and gives them to fn: the
 * server's work on the next page runs beside the client's on this one. At most
 * three pages are held at once: the one read, one waiting, one coming in.
 * Items reach fn in the list's order, on the calling thread, as before.
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
	/* the fetching side's (the caller's until the fetcher starts) */
	char *cont; /* the next page's token */
	int restarts;
	size_t hint; /* the answer buffer for the next page: the last one's size */
	/* shared */
	atomic_int stop; /* the caller is done: the fetcher gives up and ends */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	page *ready; /* fetched, not taken yet */
	int ended;   /* the fetcher has nothing more to give */
	strbuf spare[2]; /* the buffers of pages read, for the next ones */
	int n_spare;
} pager;

/* Frees pg, its buffer kept for a page to come. */
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

/* Asks for the page after p->cont (the first when NULL) and scans it. */
static page *fetch(pager *p)
{
	const k8s_list_opts *o = p->opts;
	page *pg = xcalloc(1, sizeof(*pg));
	const cJSON *v;

	pthread_mutex_lock(&p->mu);
	if (p->n_spare)
		pg->answer = p->spare[--p->n_spare]; /* the answer goes in it, or replaces it */
	pthread_mutex_unlock(&p->mu);
	if (!pg->answer.buf)
		sb_init(&pg->answer, 0);
	for (;;) {
		strbuf q;

		if (list_cancelled(o)) {
			pg->rc = k8s_err_set(&pg->err, 0, "cancelled");
			return pg;
		}
		sb_init(&q, 256);
		sb_addf(&q, "%s%climit=%d", p->path, strchr(p->path, '?') ? '&' : '?',
			o && o->limit > 0 ? o->limit : 500);
		k8s_query_add(&q, "labelSelector", o ? o->label_selector : NULL);
		k8s_query_add(&q, "fieldSelector", o ? o->field_selector : NULL);
		k8s_query_add(&q, "continue", p->cont);
		pg->rc = k8s_get_page(p->c, q.buf, o ? o->accept : NULL, o ? o->cancel : NULL,
				      &p->stop, p->hint, &pg->answer, &pg->err);
		sb_release(&q);
		if (!pg->rc)
			break;
		if (pg->err.http == 410 && p->cont && p->restarts < 3) {
			/* the snapshot behind the continue token is gone: start over */
			p->restarts++;
			pg->restarted = 1;
			free(p->cont);
			p->cont = NULL;
			continue;
		}
		return pg;
	}
	p->hint = pg->answer.len + pg->answer.len / 8;
	free(p->cont);
	p->cont = NULL;
	if (jscan_page(pg->answer.buf, pg->answer.len, &pg->spans, &pg->n_items, &pg->meta)) {
		pg->rc = k8s_err_set(&pg->err, 200, "GET %s: the answer is not JSON", p->path);
		return pg;
	}
	v = cJSON_GetObjectItemCaseSensitive(pg->meta, "continue");
	if (cJSON_IsString(v) && v->valuestring[0]) {
		p->cont = xstrdup(v->valuestring);
		pg->more = 1;
	}
	return pg;
}

static void *fetcher(void *arg)
{
	pager *p = arg;
	int last = 0;

	while (!last && !atomic_load(&p->stop)) {
		page *pg = fetch(p);

		last = pg->rc || !pg->more;
		pthread_mutex_lock(&p->mu);
		while (p->ready && !atomic_load(&p->stop))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop)) {
			pthread_mutex_unlock(&p->mu);
			page_free(p, pg);
			break;
		}
		p->ready = pg;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->ended = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The fetcher's next page: it always gives one (a failed one at worst) before it
 * ends, unless told to stop. */
static page *take(pager *p)
{
	page *pg;

	pthread_mutex_lock(&p->mu);
	while (!p->ready && !p->ended)
		pthread_cond_wait(&p->cv, &p->mu);
	pg = p->ready;
	p->ready = NULL;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return pg;
}

int k8s_list(k8s_client *c, const char *path, const k8s_list_opts *opts, k8s_item_fn fn, void *ctx,
	     char *rv, size_t rvsz, k8s_err *err)
{
	pager p;
	pthread_t th;
	int threaded = 0, ret = -1, first = 1, pages = 0;
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
	pg = fetch(&p);
	for (;;) {
		const cJSON *v;
		size_t i;
		int more;

		if (!pg) { /* (the fetcher ended without a page: not expected) */
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
		if (pg->more && !threaded && ++pages >= 2)
			threaded = pthread_create(&th, NULL, fetcher, &p) == 0;
		if (first)
			util_trace("list first page in: %s (%zu items)", path, pg->n_items);
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
		pg = threaded ? take(&p) : fetch(&p);
	}
	ret = 0;
out:
	page_free(&p, pg);
	if (threaded) {
		pthread_mutex_lock(&p.mu);
		atomic_store(&p.stop, 1); /* also gives up a page being asked for */
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(th, NULL);
		page_free(&p, p.ready);
	}
	while (p.n_spare)
		sb_release(&p.spare[--p.n_spare]);
	free(p.cont);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return ret;
}
