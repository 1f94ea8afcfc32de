/* core/tenant_has.c — what a tenant already has; see tenant_has.h. */
#include <pthread.h>
#include <stdio.h>

#include "core/build_info.h"
#include "core/db_info.h"
#include "core/fs_info.h"
#include "core/tenant_has.h"
#include "util/util.h"

/* One env: 0, or -1 when the cluster did not answer for part of it. */
static int read_env(const tenant_has_ref *r, const char *prefix, tcode_env e, tenant_has *out)
{
	const char *ns = r->ns[e];
	int rc = 0;
	db_info d;

	db_info_read(r->client, prefix, ns, -1, &d); /* -1: no live check */
	if (!d.engine && strstr(d.detail, "cannot be read"))
		rc = -1;
	out->db[e] = d.user[0] != '\0'; /* Secret db-credentials names its user */
	if (r->product != MODEL_PRODUCT_ESOCIAL) {
		fs_info fi;
		build_info bi;
		k8s_err err;

		fs_info_read(r->client, prefix, ns, &fi);
		if (!fi.read)
			rc = -1;
		out->fs[e] = fi.present;
		if (build_info_read(r->client, prefix, r->tcode, tcode_env_name(e), ns, &bi, &err) <
		    0)
			rc = -1;
		else
			out->rpo[e] = bi.rpo[0] != '\0';
	}
	return rc;
}

void tenant_has_read(const tenant_has_ref *r, const char *prefix, tenant_has *out)
{
	int ok = 1;

	memset(out, 0, sizeof(*out));
	for (tcode_env e = TCODE_ENV_PROD; e <= TCODE_ENV_DEV; e++) {
		if (!r->ns[e][0])
			continue;
		out->env[e] = 1;
		if (!r->client || read_env(r, prefix, e, out) < 0)
			ok = 0;
	}
	out->read = (uint8_t)ok;
}

/* "db" when every env has it, "db:prod" when one has it, nothing when none. */
static void add_word(strbuf *sb, const char *word, const uint8_t has[2], const uint8_t env[2])
{
	int n_env = env[0] + env[1], n_has = (env[0] && has[0]) + (env[1] && has[1]);

	if (!n_has)
		return;
	if (sb->len)
		sb_addc(sb, ' ');
	sb_adds(sb, word);
	if (n_has < n_env)
		sb_addf(sb, ":%s",
			tcode_env_name(env[0] && has[0] ? TCODE_ENV_PROD : TCODE_ENV_DEV));
}

void tenant_has_words(const tenant_has *h, char *buf, size_t size)
{
	strbuf sb;

	sb_init(&sb, 32);
	add_word(&sb, "db", h->db, h->env);
	add_word(&sb, "fs", h->fs, h->env);
	add_word(&sb, "rpo", h->rpo, h->env);
	util_strlcpy(buf, !h->read ? "?" : sb.len ? sb.buf : "-", size);
	sb_release(&sb);
}

/* ---- the loader ---- */

typedef struct kept {
	char cluster[32];
	char tcode[TCODE_SIZE];
	tenant_has has;
} kept;

struct tenant_has_loader {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int stop;
	char *prefix;
	void (*wake)(void);
	tenant_has_ref *want; /* guarded by mu */
	size_t n_want;
	uint64_t forgets; /* grows with each forget: a read begun before is dropped */
	uint64_t version; /* reads kept */
	kept *kept;	  /* guarded by mu */
	size_t n_kept, cap_kept;
};

static kept *find_kept(tenant_has_loader *l, const char *cluster, const char *tcode)
{
	for (size_t i = 0; i < l->n_kept; i++)
		if (!strcmp(l->kept[i].tcode, tcode) && !strcmp(l->kept[i].cluster, cluster))
			return &l->kept[i];
	return NULL;
}

/* The first wanted tenant not kept yet into *r: 1, or 0 when none (mu held). */
static int next_wanted(tenant_has_loader *l, tenant_has_ref *r)
{
	for (size_t i = 0; i < l->n_want; i++)
		if (!find_kept(l, l->want[i].cluster, l->want[i].tcode)) {
			*r = l->want[i];
			return 1;
		}
	return 0;
}

static void keep(tenant_has_loader *l, const tenant_has_ref *r, const tenant_has *h)
{
	kept *k = find_kept(l, r->cluster, r->tcode);

	if (!k) {
		if (l->n_kept == l->cap_kept) {
			l->cap_kept = l->cap_kept ? 2 * l->cap_kept : 64;
			l->kept = xrealloc(l->kept, l->cap_kept * sizeof(*l->kept));
		}
		k = &l->kept[l->n_kept++];
		util_strlcpy(k->cluster, r->cluster, sizeof(k->cluster));
		util_strlcpy(k->tcode, r->tcode, sizeof(k->tcode));
	}
	k->has = *h;
}

static void *loader_run(void *arg)
{
	tenant_has_loader *l = arg;
	tenant_has_ref r;
	tenant_has h;
	uint64_t gen;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->stop && !next_wanted(l, &r))
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->stop)
			break;
		gen = l->forgets;
		pthread_mutex_unlock(&l->mu);
		tenant_has_read(&r, l->prefix, &h);
		pthread_mutex_lock(&l->mu);
		if (gen != l->forgets)
			continue; /* read before a forget: maybe older than what was asked */
		keep(l, &r, &h);
		l->version++;
		if (l->wake)
			l->wake();
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

tenant_has_loader *tenant_has_loader_new(const char *prefix, void (*wake)(void))
{
	tenant_has_loader *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->prefix = prefix ? xstrdup(prefix) : NULL;
	l->wake = wake;
	if (pthread_create(&l->th, NULL, loader_run, l) != 0)
		die("cannot start the tenant reader thread");
	return l;
}

void tenant_has_loader_free(tenant_has_loader *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->th, NULL);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l->want);
	free(l->kept);
	free(l->prefix);
	free(l);
}

void tenant_has_loader_want(tenant_has_loader *l, const tenant_has_ref *r, size_t n, int forget)
{
	tenant_has_ref *copy = n ? xmalloc(n * sizeof(*copy)) : NULL;

	if (n)
		memcpy(copy, r, n * sizeof(*copy));
	pthread_mutex_lock(&l->mu);
	free(l->want);
	l->want = copy;
	l->n_want = n;
	if (forget) {
		l->n_kept = 0;
		l->forgets++;
	}
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

int tenant_has_loader_get(tenant_has_loader *l, const char *cluster, const char *tcode,
			  tenant_has *out)
{
	kept *k;

	pthread_mutex_lock(&l->mu);
	k = find_kept(l, cluster, tcode);
	if (k)
		*out = k->has;
	pthread_mutex_unlock(&l->mu);
	return k != NULL;
}

int tenant_has_loader_busy(tenant_has_loader *l)
{
	tenant_has_ref r;
	int busy;

	pthread_mutex_lock(&l->mu);
	busy = next_wanted(l, &r);
	pthread_mutex_unlock(&l->mu);
	return busy;
}

uint64_t tenant_has_loader_version(tenant_has_loader *l)
{
	uint64_t v;

	pthread_mutex_lock(&l->mu);
	v = l->version;
	pthread_mutex_unlock(&l->mu);
	return v;
}
