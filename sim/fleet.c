/* The deterministic SMART fleet (see sim/fleet.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleet.h"
#include "sim/platform.h"
#include "sim/rules.h"
#include "sim/usage.h"
#include "util/util.h"

#define P SIM_FLEET_PREFIX
#define REGISTRY "registry.smart.example.com/"
#define CODE_STRIDE 7919u /* prime, coprime with 90000: i -> code is a bijection */

static sim_tenant *tenants;
static size_t n_tenants;
static uint64_t fleet_seed;
static int64_t fleet_epoch;
static int32_t *by_code; /* 100000 entries: tenant index by TCODE number, or -1 */

/* ---- randomness ---------------------------------------------------------- */

uint64_t sim_fleet_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t sim_fleet_mix(uint64_t x)
{
	return sim_fleet_next(&x);
}

double sim_fleet_unit(uint64_t *state)
{
	return (double)(sim_fleet_next(state) >> 11) / 9007199254740992.0;
}

static int pick(uint64_t *rng, int n)
{
	return (int)(sim_fleet_next(rng) % (uint64_t)n);
}

/* ---- names --------------------------------------------------------------- */

const char *sim_scenario_name(sim_scenario s)
{
	static const char *const names[] = {
		"available", "sleeping", "waking", "degraded", "down-license",
		"down-lockserver", "down-dbaccess", "blocked",
	};
	return (unsigned)s < SIM_SCN_COUNT ? names[s] : "unknown";
}

const char *sim_scenario_health(sim_scenario s)
{
	switch (s) {
	case SIM_SCN_DOWN_LICENSE:
	case SIM_SCN_DOWN_LOCKSERVER:
	case SIM_SCN_DOWN_DBACCESS:
		return "down";
	default:
		return sim_scenario_name(s);
	}
}

const char *sim_scenario_cause(sim_scenario s)
{
	switch (s) {
	case SIM_SCN_DOWN_LICENSE:
		return "license";
	case SIM_SCN_DOWN_LOCKSERVER:
		return "lockserver";
	case SIM_SCN_DOWN_DBACCESS:
		return "dbaccess";
	default:
		return "";
	}
}

unsigned sim_fleet_code(size_t i)
{
	return 10000u + (unsigned)(((uint64_t)i * CODE_STRIDE + fleet_seed % 90000u) % 90000u);
}

void sim_fleet_customer_name(uint64_t h, char *buf, size_t size)
{
	static const char *const trade[] = {
		"Metalurgica", "Transportes", "Comercial", "Distribuidora", "Agropecuaria",
		"Construtora", "Farmacias", "Industria", "Laticinios", "Confeccoes",
		"Supermercados", "Autopecas", "Moveis", "Ceramica", "Logistica", "Hospital",
		"Colegio", "Cooperativa", "Plasticos", "Alimentos",
	};
	static const char *const family[] = {
		"Silva", "Souza", "Oliveira", "Pereira", "Costa", "Rodrigues", "Almeida",
		"Nascimento", "Lima", "Araujo", "Fernandes", "Carvalho", "Gomes", "Martins",
		"Rocha", "Ribeiro", "Barbosa", "Teixeira", "Moreira", "Cardoso", "Vieira",
		"Mendes", "Freitas", "Campos", "Moura",
	};
	static const char *const place[] = {
		"", "", "", " Paulista", " do Sul", " Mineira", " Nordeste", " Brasil",
		" Gaucha", " Catarinense",
	};
	static const char *const suffix[] = {"Ltda", "S.A.", "Ltda", "EIRELI", "ME", "Ltda"};
	uint64_t r = h;

	snprintf(buf, size, "%s %s%s %s", trade[pick(&r, (int)ARRAY_SIZE(trade))],
		 family[pick(&r, (int)ARRAY_SIZE(family))], place[pick(&r, (int)ARRAY_SIZE(place))],
		 suffix[pick(&r, (int)ARRAY_SIZE(suffix))]);
}

static const struct zone {
	const char *name;
	int offset;
	int weight;                /* share when drawing a tenant's zone */
} zones[] = {
	{"America/Sao_Paulo", -180, 60}, {"America/Bahia", -180, 6},
	{"America/Fortaleza", -180, 6},  {"America/Recife", -180, 6},
	{"America/Belem", -180, 4},      {"America/Manaus", -240, 8},
	{"America/Cuiaba", -240, 5},     {"America/Noronha", -120, 5},
	/* known to the lookup only */
	{"America/Maceio", -180, 0},     {"America/Araguaina", -180, 0},
	{"America/Santarem", -180, 0},   {"America/Campo_Grande", -240, 0},
	{"America/Porto_Velho", -240, 0}, {"America/Boa_Vista", -240, 0},
	{"America/Rio_Branco", -300, 0}, {"America/Eirunepe", -300, 0},
	{"UTC", 0, 0},                   {"Etc/UTC", 0, 0},
};

void sim_fleet_timezone(uint64_t h, const char **name, int *utc_offset_min)
{
	int total = 0, r;

	for (size_t i = 0; i < ARRAY_SIZE(zones); i++)
		total += zones[i].weight;
	r = (int)(sim_fleet_mix(h) % (uint64_t)total);
	for (size_t i = 0; i < ARRAY_SIZE(zones); i++) {
		if (r < zones[i].weight) {
			*name = zones[i].name;
			*utc_offset_min = zones[i].offset;
			return;
		}
		r -= zones[i].weight;
	}
	*name = zones[0].name;
	*utc_offset_min = zones[0].offset;
}

int sim_fleet_tz_offset(const char *name, int *offset_min)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(zones); i++) {
		if (!strcmp(zones[i].name, name)) {
			*offset_min = zones[i].offset;
			return 0;
		}
	}
	return -1;
}

/* ---- the tenant table ---------------------------------------------------- */

static sim_scenario draw_scenario(uint64_t *rng, int env, int esocial)
{
	/* shares in percent: available, sleeping, waking, degraded, down x3, blocked */
	static const int prod[SIM_SCN_COUNT] = {66, 18, 2, 4, 2, 3, 3, 2};
	static const int dev[SIM_SCN_COUNT] = {40, 46, 2, 4, 2, 2, 2, 2};
	const int *w = env == SIM_ENV_PROD ? prod : dev;
	int r = pick(rng, 100);

	for (int i = 0; i < SIM_SCN_COUNT; i++) {
		if (r < w[i]) {
			if (i == SIM_SCN_DEGRADED && esocial)
				return SIM_SCN_AVAILABLE; /* one public role: no partial outage */
			return (sim_scenario)i;
		}
		r -= w[i];
	}
	return SIM_SCN_AVAILABLE;
}

static void day_string(int64_t unix_s, char buf[11])
{
	char tmp[32];

	util_rfc3339(unix_s, tmp, sizeof(tmp));
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}

static void gen_env(sim_tenant *t, int env, uint64_t *rng)
{
	sim_fleet_env *e = &t->envs[env];
	int64_t now = fleet_epoch;

	e->env = env == SIM_ENV_PROD ? "prod" : "dev";
	snprintf(e->ns, sizeof(e->ns), "%s-%s", t->lower, e->env);
	if (t->esocial) {
		e->n_roles = 1;
		e->roles[0] = "esocial";
	} else {
		e->roles[e->n_roles++] = "webapp";
		e->roles[e->n_roles++] = "rest";
		if (sim_fleet_unit(rng) < 0.4)
			e->roles[e->n_roles++] = "portal";
		if (sim_fleet_unit(rng) < 0.3)
			e->roles[e->n_roles++] = "job";
	}
	for (int i = 0; i < e->n_roles; i++)
		e->replicas[i] = env == SIM_ENV_DEV ? 1 : 1 + pick(rng, 3);
	e->degraded_role = -1;
	e->idle_timeout_s = 900 + 300 * pick(rng, 10);
	e->licences = env == SIM_ENV_PROD ? 5 + pick(rng, 196) : 2 + pick(rng, 19);
	e->peak_rate = 300.0 * exp(sim_fleet_unit(rng) * 2.3); /* 300 .. 3000 per hour */
	if (env == SIM_ENV_DEV)
		e->peak_rate *= 0.05 + 0.05 * sim_fleet_unit(rng);
	e->last_activity_s = now - pick(rng, e->idle_timeout_s / 3 + 1);
	e->last_wake_s = e->last_activity_s - 3600 - pick(rng, 36000);
}

/* Applies a scenario to an env and sets what it implies. */
static void stage(sim_tenant *t, int env, sim_scenario s, uint64_t *rng)
{
	sim_fleet_env *e = &t->envs[env];

	e->scenario = s;
	switch (s) {
	case SIM_SCN_SLEEPING:
		e->last_activity_s = fleet_epoch - e->idle_timeout_s - pick(rng, 8 * 3600);
		e->last_wake_s = e->last_activity_s - 3600 - pick(rng, 36000);
		break;
	case SIM_SCN_WAKING:
		e->last_wake_s = fleet_epoch - 2 - pick(rng, 10);
		e->last_activity_s = e->last_wake_s;
		break;
	case SIM_SCN_DEGRADED:
		e->degraded_role = e->n_roles > 1 ? pick(rng, e->n_roles) : 0;
		break;
	case SIM_SCN_BLOCKED:
		/* half: the whole contract expired; half: no licences for this env */
		if (sim_fleet_unit(rng) < 0.5) {
			t->contract_expired = 1;
		} else {
			e->licences = 0;
		}
		break;
	default:
		break;
	}
}

static void gen_tenant(sim_tenant *t, size_t i, size_t n, uint64_t seed)
{
	static const char *const providers[] = {"aws", "aws", "aws", "gcp", "gcp", "totvs", "totvs"};
	uint64_t rng;
	size_t block = i / 10, span = n / SIM_SCN_COUNT;
	int forced = -1;

	memset(t, 0, sizeof(*t));
	t->seed = sim_fleet_mix(seed ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull));
	rng = t->seed;
	snprintf(t->tcode, sizeof(t->tcode), "T%05u", sim_fleet_code(i));
	snprintf(t->lower, sizeof(t->lower), "t%05u", sim_fleet_code(i));
	sim_fleet_customer_name(sim_fleet_next(&rng), t->customer, sizeof(t->customer));
	/* one eSocial tenant in every block of ten */
	t->esocial = i % 10 == sim_fleet_mix(seed ^ 0xe50c1a1ull ^ block) % 10;
	/* with enough tenants every scenario is staged at least once in prod */
	if (span > 0 && i / span < SIM_SCN_COUNT && i % span == seed % span)
		forced = (int)(i / span);
	if (forced == SIM_SCN_DEGRADED)
		t->esocial = 0;
	t->provider = providers[pick(&rng, (int)ARRAY_SIZE(providers))];
	sim_fleet_timezone(sim_fleet_next(&rng), &t->timezone, &t->utc_offset_min);
	t->night_batch = !t->esocial && sim_fleet_unit(&rng) < 0.3;
	for (int env = 0; env < SIM_ENV_COUNT; env++)
		gen_env(t, env, &rng);
	for (int env = 0; env < SIM_ENV_COUNT; env++) {
		sim_scenario s = draw_scenario(&rng, env, t->esocial);

		if (env == SIM_ENV_PROD && forced >= 0)
			s = (sim_scenario)forced;
		stage(t, env, s, &rng);
	}
	if (t->contract_expired)
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			t->envs[env].scenario = SIM_SCN_BLOCKED;
	if (t->contract_expired)
		day_string(fleet_epoch - (int64_t)(10 + pick(&rng, 190)) * 86400, t->valid_until);
	else
		day_string(fleet_epoch + (int64_t)(120 + pick(&rng, 1000)) * 86400, t->valid_until);
}

void sim_fleet_reset(void)
{
	free(tenants);
	free(by_code);
	tenants = NULL;
	by_code = NULL;
	n_tenants = 0;
	sim_catalog_reset();
}

size_t sim_fleet_count(void)
{
	return n_tenants;
}

uint64_t sim_fleet_seed_value(void)
{
	return fleet_seed;
}

int64_t sim_fleet_epoch(void)
{
	return fleet_epoch;
}

const sim_tenant *sim_fleet_tenant(size_t i)
{
	return i < n_tenants ? &tenants[i] : NULL;
}

const sim_tenant *sim_fleet_find(const char *tcode)
{
	unsigned code = 0;

	if (!by_code || !tcode || (tcode[0] != 'T' && tcode[0] != 't'))
		return NULL;
	for (int i = 1; i <= 5; i++) {
		if (!isdigit((unsigned char)tcode[i]))
			return NULL;
		code = code * 10 + (unsigned)(tcode[i] - '0');
	}
	if (tcode[6] != '\0' || by_code[code] < 0)
		return NULL;
	return &tenants[by_code[code]];
}

const sim_tenant *sim_fleet_find_ns(const char *ns, int *env)
{
	char tcode[7];
	const sim_tenant *t;

	if (!ns || strlen(ns) < 8 || ns[6] != '-')
		return NULL;
	memcpy(tcode, ns, 6);
	tcode[6] = '\0';
	t = sim_fleet_find(tcode);
	if (!t)
		return NULL;
	for (int e = 0; e < SIM_ENV_COUNT; e++) {
		if (!strcmp(t->envs[e].ns, ns)) {
			if (env)
				*env = e;
			return t;
		}
	}
	return NULL;
}

/* ---- object builders ----------------------------------------------------- */

typedef struct seeder {
	sim_store *s;
	const char *domain;
	const sim_resource *r_ns, *r_cm, *r_secret, *r_svc, *r_deploy, *r_sts, *r_pvc, *r_ing,
		*r_sc;
	strbuf sb;               /* reused for rendered files */
	char *usage_start;       /* RFC 3339 first hour of the usage history */
	int64_t usage_start_s;
	unsigned hours[SIM_FLEET_HOURS];
} seeder;

typedef struct port_spec {
	const char *name;
	int port;
} port_spec;

static cJSON *new_obj(const char *api_version, const char *kind, const char *name, cJSON **meta)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "apiVersion", api_version);
	cJSON_AddStringToObject(o, "kind", kind);
	*meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(*meta, "name", name);
	return o;
}

static void put(cJSON *map, const char *key, const char *value)
{
	cJSON_AddStringToObject(map, key, value);
}

/* Adds "smart.totvs.com/<key>": value. */
static void putp(cJSON *map, const char *key, const char *value)
{
	char k[128];

	snprintf(k, sizeof(k), P "%s", key);
	cJSON_AddStringToObject(map, k, value);
}

static void puti(cJSON *map, const char *key, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	putp(map, key, buf);
}

static void put_time(cJSON *map, const char *key, int64_t t)
{
	char buf[40];

	util_rfc3339(t, buf, sizeof(buf));
	putp(map, key, buf);
}

static int create(seeder *sd, const sim_resource *res, const char *ns, cJSON *obj, int tolerate,
		  sim_err *err)
{
	sim_err local;
	int rc = sim_store_create_owned(sd->s, res, ns, obj, 0, NULL, &local);

	if (rc < 0 && !(tolerate && local.code == 409)) {
		if (err)
			*err = local;
		return -1;
	}
	return 0;
}

/* Labels every object of a tenant carries. */
static void tenant_labels(cJSON *labels, const sim_tenant *t, const sim_fleet_env *e)
{
	putp(labels, "tcode", t->tcode);
	putp(labels, "env", e->env);
	putp(labels, "product", t->esocial ? "esocial" : "erp");
}

static void workload_labels(cJSON *labels, const sim_tenant *t, const sim_fleet_env *e,
			    const char *name, const char *tier, const char *component,
			    const char *role)
{
	put(labels, "app.kubernetes.io/name", name);
	put(labels, "app.kubernetes.io/part-of", "protheus");
	tenant_labels(labels, t, e);
	putp(labels, "tier", tier);
	putp(labels, "component", component);
	if (role)
		putp(labels, "service", role);
}

static void add_ports(cJSON *arr, const port_spec *ports, int service)
{
	for (const port_spec *p = ports; p->name; p++) {
		cJSON *o = cJSON_CreateObject();

		put(o, "name", p->name);
		if (service) {
			cJSON_AddNumberToObject(o, "port", p->port);
			cJSON_AddNumberToObject(o, "targetPort", p->port);
		} else {
			cJSON_AddNumberToObject(o, "containerPort", p->port);
		}
		put(o, "protocol", "TCP");
		cJSON_AddItemToArray(arr, o);
	}
}

typedef struct workload_spec {
	const char *kind;        /* "Deployment" | "StatefulSet" */
	const char *name;
	const char *tier, *component, *role;
	int replicas;
	const char *image;
	const port_spec *ports;
	const char *log_profile;
	const char *config;      /* ConfigMap mounted at /config, or NULL */
	const char *mount_path;
	int nofile;              /* AppServer wants nofile 65536 */
	const char *claim;       /* a claim mounted at claim_path (the file server), or NULL */
	const char *claim_path;
} workload_spec;

static cJSON *workload(const sim_tenant *t, const sim_fleet_env *e, const workload_spec *w,
		       cJSON **annotations)
{
	cJSON *meta, *o = new_obj("apps/v1", w->kind, w->name, &meta);
	cJSON *spec, *sel, *tmpl, *tmeta, *pspec, *containers, *c, *probe, *tcp, *res, *req, *env;

	workload_labels(cJSON_AddObjectToObject(meta, "labels"), t, e, w->name, w->tier,
			w->component, w->role);
	*annotations = cJSON_AddObjectToObject(meta, "annotations");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddNumberToObject(spec, "replicas", w->replicas);
	if (!strcmp(w->kind, "StatefulSet"))
		put(spec, "serviceName", w->name);
	sel = cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "selector"), "matchLabels");
	put(sel, "app.kubernetes.io/name", w->name);
	tmpl = cJSON_AddObjectToObject(spec, "template");
	tmeta = cJSON_AddObjectToObject(tmpl, "metadata");
	workload_labels(cJSON_AddObjectToObject(tmeta, "labels"), t, e, w->name, w->tier,
			w->component, w->role);
	put(cJSON_AddObjectToObject(tmeta, "annotations"), "kubesim.io/log-profile",
	    w->log_profile);
	pspec = cJSON_AddObjectToObject(tmpl, "spec");
	containers = cJSON_AddArrayToObject(pspec, "containers");
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(containers, c);
	put(c, "name", w->component);
	put(c, "image", w->image);
	add_ports(cJSON_AddArrayToObject(c, "ports"), w->ports, 0);
	env = cJSON_AddArrayToObject(c, "env");
	{
		cJSON *v = cJSON_CreateObject();

		put(v, "name", "TCODE");
		put(v, "value", t->tcode);
		cJSON_AddItemToArray(env, v);
		v = cJSON_CreateObject();
		put(v, "name", "SMART_ENV");
		put(v, "value", e->env);
		cJSON_AddItemToArray(env, v);
		if (w->nofile) {
			v = cJSON_CreateObject();
			put(v, "name", "ULIMIT_NOFILE");
			put(v, "value", "65536");
			cJSON_AddItemToArray(env, v);
		}
	}
	probe = cJSON_AddObjectToObject(c, "readinessProbe");
	tcp = cJSON_AddObjectToObject(probe, "tcpSocket");
	cJSON_AddNumberToObject(tcp, "port", w->ports[0].port);
	cJSON_AddNumberToObject(probe, "periodSeconds", 10);
	res = cJSON_AddObjectToObject(c, "resources");
	req = cJSON_AddObjectToObject(res, "requests");
	put(req, "cpu", !strcmp(w->component, "appserver") ? "1" : "250m");
	put(req, "memory", !strcmp(w->component, "appserver") ? "2Gi" : "512Mi");
	if (w->config) {
		cJSON *mounts = cJSON_AddArrayToObject(c, "volumeMounts"), *m = cJSON_CreateObject();
		cJSON *vols = cJSON_AddArrayToObject(pspec, "volumes"), *v = cJSON_CreateObject();

		put(m, "name", "config");
		put(m, "mountPath", w->mount_path);
		cJSON_AddItemToArray(mounts, m);
		put(v, "name", "config");
		put(cJSON_AddObjectToObject(v, "configMap"), "name", w->config);
		cJSON_AddItemToArray(vols, v);
	}
	if (w->claim) {
		cJSON *mounts = cJSON_GetObjectItemCaseSensitive(c, "volumeMounts");
		cJSON *vols = cJSON_GetObjectItemCaseSensitive(pspec, "volumes"), *m = cJSON_CreateObject();
		cJSON *v = cJSON_CreateObject();

		if (!mounts)
			mounts = cJSON_AddArrayToObject(c, "volumeMounts");
		if (!vols)
			vols = cJSON_AddArrayToObject(pspec, "volumes");
		put(m, "name", "fileserver");
		put(m, "mountPath", w->claim_path);
		cJSON_AddItemToArray(mounts, m);
		put(v, "name", "fileserver");
		put(cJSON_AddObjectToObject(v, "persistentVolumeClaim"), "claimName", w->claim);
		cJSON_AddItemToArray(vols, v);
	}
	return o;
}

static int add_service(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, const char *name,
		       const char *component, const port_spec *ports, sim_err *err)
{
	cJSON *meta, *o = new_obj("v1", "Service", name, &meta), *spec, *labels;

	labels = cJSON_AddObjectToObject(meta, "labels");
	put(labels, "app.kubernetes.io/name", name);
	tenant_labels(labels, t, e);
	putp(labels, "component", component);
	spec = cJSON_AddObjectToObject(o, "spec");
	put(spec, "type", "ClusterIP");
	put(cJSON_AddObjectToObject(spec, "selector"), "app.kubernetes.io/name", name);
	add_ports(cJSON_AddArrayToObject(spec, "ports"), ports, 1);
	return create(sd, sd->r_svc, e->ns, o, 0, err);
}

static int add_configmap(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, const char *name,
			 const char *component, const char *key, const char *text, sim_err *err)
{
	cJSON *meta, *o = new_obj("v1", "ConfigMap", name, &meta), *labels;

	labels = cJSON_AddObjectToObject(meta, "labels");
	tenant_labels(labels, t, e);
	putp(labels, "component", component);
	put(cJSON_AddObjectToObject(o, "data"), key, text);
	return create(sd, sd->r_cm, e->ns, o, 0, err);
}

static const char *db_kind(const sim_tenant *t, int env)
{
	if (t->esocial)
		return "oracle";
	return env == SIM_ENV_PROD ? "postgres-managed" : "postgres-container";
}

static void db_host(const sim_tenant *t, const sim_fleet_env *e, char *buf, size_t size)
{
	if (t->esocial)
		snprintf(buf, size, "ora-%s.db.totvs.internal", t->lower);
	else if (!strcmp(e->env, "dev"))
		snprintf(buf, size, "postgres");
	else if (!strcmp(t->provider, "aws"))
		snprintf(buf, size, "%s-prod.cluster-c8sm4rt.sa-east-1.rds.amazonaws.com", t->lower);
	else if (!strcmp(t->provider, "gcp")) /* a name, never an address someone may own */
		snprintf(buf, size, "%s-prod.sql.gcp.totvs.internal", t->lower);
	else
		snprintf(buf, size, "pg-%s.db.totvs.internal", t->lower);
}

static void render_appserver_ini(strbuf *sb, const sim_tenant *t, const sim_fleet_env *e,
				 const char *role)
{
	int dev = !strcmp(e->env, "dev");

	sb_reset(sb);
	sb_addf(sb, "; appserver.ini for %s %s, role %s\n", t->tcode, e->env, role);
	sb_adds(sb, "[PROTHEUS12]\n"
		    "SourcePath=/totvs/protheus/apo\n"
		    "RootPath=/totvs/protheus_data\n"
		    "StartPath=/system/\n"
		    "RpoDb=Top\n"
		    "RpoLanguage=Portuguese\n"
		    "RpoVersion=120\n");
	sb_addf(sb, "TopDatabase=%s\n", t->esocial ? "ORACLE" : "POSTGRES");
	sb_adds(sb, "TopServer=dbaccess\nTopPort=7890\n");
	sb_addf(sb, "TopAlias=%s_%s\n", t->lower, e->env);
	if (!t->esocial)
		sb_addf(sb, "CustomRpoPath=/totvs/protheus/apo/custom\n");
	sb_adds(sb, "\n[Drivers]\nActive=TCP\nMultiProtocolPort=1\n"
		    "\n[TCP]\nTYPE=TCPIP\nPort=1234\n");
	sb_addf(sb, "\n[General]\nInstallPath=/totvs\nMaxStringSize=10\nConsoleLog=%d\n"
		    "ConsoleMaxSize=%s\nInactiveTimeout=%d\n",
		dev, dev ? "52428800" : "10485760", dev ? 7200 : 3600);
	if (dev)
		sb_adds(sb, "DebugThreadUsedMemory=1\n");
	sb_adds(sb, "\n[LICENSECLIENT]\nServer=license\nPort=5555\n"
		    "\n[LockServer]\nEnable=1\nServer=lockserver\nPort=1236\n");
	if (!strcmp(role, "webapp")) {
		sb_adds(sb, "\n[WEBAPP]\nPort=8080\nEnvServer=PROTHEUS12\n");
	} else if (!strcmp(role, "rest") || !strcmp(role, "esocial")) {
		int esocial = !strcmp(role, "esocial");

		sb_addf(sb, "\n[HTTPV11]\nEnable=1\nSockets=HTTPREST\n"
			    "\n[HTTPREST]\nPort=8400\nURIs=HTTPURI\nSecurity=1\n"
			    "\n[HTTPURI]\nURL=%s\nPrepareIn=%s\nInstances=%s\nCORSEnable=1\n"
			    "\n[ONSTART]\nJobs=HTTPJOB\nRefreshRate=120\n"
			    "\n[HTTPJOB]\nMain=HTTP_START\nEnvironment=PROTHEUS12\n",
			esocial ? "/esocial" : "/rest", dev ? "99" : "All",
			dev ? "1,2" : "2,10");
	} else if (!strcmp(role, "portal")) {
		sb_adds(sb, "\n[HTTP]\nEnable=1\nPort=8081\nPath=/totvs/protheus_data/web/pp\n"
			    "\n[WEBAPP]\nPort=8080\nEnvServer=PROTHEUS12\n");
	} else if (!strcmp(role, "job")) {
		sb_adds(sb, "\n[ONSTART]\nJobs=SCHEDULER,WORKFLOW\nRefreshRate=60\n"
			    "\n[SCHEDULER]\nMain=FWSCHDQUEUE\nEnvironment=PROTHEUS12\n"
			    "\n[WORKFLOW]\nMain=WFONSTART\nEnvironment=PROTHEUS12\n");
	}
}

static void render_dbaccess_ini(strbuf *sb, const sim_tenant *t, const sim_fleet_env *e)
{
	char host[128];

	db_host(t, e, host, sizeof(host));
	sb_reset(sb);
	sb_addf(sb, "; dbaccess.ini for %s %s (password from Secret db-credentials)\n", t->tcode,
		e->env);
	sb_adds(sb, "[General]\nPort=7890\nLicenseServer=license\nLicensePort=5555\n"
		    "ConsoleFile=/totvs/dbaccess/dbconsole.log\nAuditPort=7891\n\n");
	if (t->esocial)
		sb_addf(sb, "[ORACLE/%s_%s]\nServer=%s\nPort=1521\nService=ESOCIAL\nUser=%s_%s\n",
			t->lower, e->env, host, t->lower, e->env);
	else
		sb_addf(sb, "[POSTGRES/%s_%s]\nServer=%s\nPort=5432\nDatabase=protheus\nUser=%s_%s\n"
			    "SSLMode=%s\n",
			t->lower, e->env, host, t->lower, e->env,
			strcmp(e->env, "prod") ? "disable" : "require");
}

static void render_license_ini(strbuf *sb, const sim_tenant *t, const sim_fleet_env *e)
{
	sb_reset(sb);
	sb_addf(sb, "; licenseserver.ini for %s %s\n", t->tcode, e->env);
	sb_addf(sb, "[LicenseServer]\nEnable=1\nPort=5555\nContract=%s\nEnvironment=%s\n"
		    "Licences=%d\n\n[WebMonitor]\nEnable=1\nPort=8020\n",
		t->tcode, e->env, e->licences);
}

static void base64(strbuf *sb, const char *s)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		sb_addc(sb, tbl[(v >> 18) & 63]);
		sb_addc(sb, tbl[(v >> 12) & 63]);
		sb_addc(sb, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
		sb_addc(sb, i + 2 < n ? tbl[v & 63] : '=');
	}
}

static int add_secret(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, sim_err *err)
{
	cJSON *meta, *o = new_obj("v1", "Secret", "db-credentials", &meta), *labels, *data;
	char buf[128], host[128];

	labels = cJSON_AddObjectToObject(meta, "labels");
	tenant_labels(labels, t, e);
	putp(labels, "component", "database");
	put(o, "type", "Opaque");
	data = cJSON_AddObjectToObject(o, "data");
	snprintf(buf, sizeof(buf), "%s_%s", t->lower, e->env);
	sb_reset(&sd->sb);
	base64(&sd->sb, buf);
	put(data, "username", sd->sb.buf);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)sim_fleet_mix(t->seed ^ 0x5ec));
	sb_reset(&sd->sb);
	base64(&sd->sb, buf);
	put(data, "password", sd->sb.buf);
	db_host(t, e, host, sizeof(host));
	sb_reset(&sd->sb);
	base64(&sd->sb, host);
	put(data, "host", sd->sb.buf);
	return create(sd, sd->r_secret, e->ns, o, 0, err);
}

static int add_namespace(seeder *sd, const sim_tenant *t, int env, sim_err *err)
{
	const sim_fleet_env *e = &t->envs[env];
	cJSON *meta, *o = new_obj("v1", "Namespace", e->ns, &meta), *labels, *ann;

	labels = cJSON_AddObjectToObject(meta, "labels");
	put(labels, "kubernetes.io/metadata.name", e->ns);
	tenant_labels(labels, t, e);
	ann = cJSON_AddObjectToObject(meta, "annotations");
	putp(ann, "customer-name", t->customer);
	putp(ann, "provider", t->provider);
	putp(ann, "db", db_kind(t, env));
	putp(ann, "timezone", t->timezone);
	return create(sd, sd->r_ns, "", o, 0, err);
}

static int add_base(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, sim_err *err)
{
	static const port_spec lic_ports[] = {{"license", 5555}, {"monitor", 8020}, {NULL, 0}};
	static const port_spec lock_ports[] = {{"lockserver", 1236}, {NULL, 0}};
	static const port_spec db_ports[] = {{"dbaccess", 7890}, {"audit", 7891}, {NULL, 0}};
	workload_spec w = {.kind = "Deployment", .tier = "base", .replicas = 1};
	cJSON *ann;

	render_license_ini(&sd->sb, t, e);
	if (add_configmap(sd, t, e, "license-config", "license", "licenseserver.ini", sd->sb.buf,
			  err) < 0)
		return -1;
	render_dbaccess_ini(&sd->sb, t, e);
	if (add_configmap(sd, t, e, "dbaccess-ini", "dbaccess", "dbaccess.ini", sd->sb.buf, err) < 0)
		return -1;

	w.name = w.component = w.log_profile = "license";
	w.image = REGISTRY "totvs/licenseserver:3.6.1";
	w.ports = lic_ports;
	w.config = "license-config";
	w.mount_path = "/totvs/licenseserver/config";
	if (create(sd, sd->r_deploy, e->ns, workload(t, e, &w, &ann), 0, err) < 0 ||
	    add_service(sd, t, e, "license", "license", lic_ports, err) < 0)
		return -1;

	w.name = w.component = w.log_profile = "lockserver";
	w.image = REGISTRY "totvs/appserver:20.3.2.6";
	w.ports = lock_ports;
	w.config = NULL;
	if (create(sd, sd->r_deploy, e->ns, workload(t, e, &w, &ann), 0, err) < 0 ||
	    add_service(sd, t, e, "lockserver", "lockserver", lock_ports, err) < 0)
		return -1;

	w.name = w.component = w.log_profile = "dbaccess";
	w.image = REGISTRY "totvs/dbaccess:23.1.1.4";
	w.ports = db_ports;
	w.config = "dbaccess-ini";
	w.mount_path = "/totvs/dbaccess/multi";
	if (create(sd, sd->r_deploy, e->ns, workload(t, e, &w, &ann), 0, err) < 0 ||
	    add_service(sd, t, e, "dbaccess", "dbaccess", db_ports, err) < 0)
		return -1;
	return add_secret(sd, t, e, err);
}

static const port_spec *role_ports(const char *role)
{
	static const port_spec webapp[] = {{"webapp", 8080}, {"tcp", 1234}, {NULL, 0}};
	static const port_spec rest[] = {{"rest", 8400}, {"tcp", 1234}, {NULL, 0}};
	static const port_spec portal[] = {{"http", 8081}, {"webapp", 8080}, {NULL, 0}};
	static const port_spec job[] = {{"tcp", 1234}, {NULL, 0}};

	if (!strcmp(role, "webapp"))
		return webapp;
	if (!strcmp(role, "portal"))
		return portal;
	if (!strcmp(role, "job"))
		return job;
	return rest;
}

static int add_ingress(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, const char *role,
		       const char *service, int port, sim_err *err)
{
	cJSON *meta, *o = new_obj("networking.k8s.io/v1", "Ingress", role, &meta), *labels, *spec;
	cJSON *rule, *paths, *path, *backend, *svc, *tls, *hosts;
	char host[256], secret[64];

	snprintf(host, sizeof(host), "%s-%s%s.%s", role, t->lower,
		 strcmp(e->env, "dev") ? "" : "-dev", sd->domain);
	labels = cJSON_AddObjectToObject(meta, "labels");
	tenant_labels(labels, t, e);
	putp(labels, "component", "appserver");
	putp(labels, "service", role);
	spec = cJSON_AddObjectToObject(o, "spec");
	put(spec, "ingressClassName", "nginx");
	rule = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "rules"), rule);
	put(rule, "host", host);
	paths = cJSON_AddArrayToObject(cJSON_AddObjectToObject(rule, "http"), "paths");
	path = cJSON_CreateObject();
	cJSON_AddItemToArray(paths, path);
	put(path, "path", "/");
	put(path, "pathType", "Prefix");
	backend = cJSON_AddObjectToObject(path, "backend");
	svc = cJSON_AddObjectToObject(backend, "service");
	put(svc, "name", service);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(svc, "port"), "number", port);
	tls = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "tls"), tls);
	hosts = cJSON_AddArrayToObject(tls, "hosts");
	cJSON_AddItemToArray(hosts, cJSON_CreateString(host));
	snprintf(secret, sizeof(secret), "%s-tls", role);
	put(tls, "secretName", secret);
	return create(sd, sd->r_ing, e->ns, o, 0, err);
}

static int add_public(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, sim_err *err)
{
	for (int i = 0; i < e->n_roles; i++) {
		const char *role = e->roles[i];
		const port_spec *ports = role_ports(role);
		char name[64], cm[64];
		workload_spec w = {.kind = "Deployment", .tier = "public", .component = "appserver"};
		cJSON *obj, *ann;

		snprintf(name, sizeof(name), "appserver-%s", role);
		snprintf(cm, sizeof(cm), "appserver-%s-ini", role);
		render_appserver_ini(&sd->sb, t, e, role);
		if (add_configmap(sd, t, e, cm, "appserver", "appserver.ini", sd->sb.buf, err) < 0)
			return -1;
		w.name = name;
		w.role = role;
		w.replicas = e->scenario == SIM_SCN_SLEEPING ? 0 : e->replicas[i];
		w.image = REGISTRY "totvs/appserver:20.3.2.6";
		w.ports = ports;
		w.log_profile = "appserver";
		w.config = cm;
		w.mount_path = "/totvs/protheus/bin/appserver/config";
		w.nofile = 1;
		if (!t->esocial) { /* the file server at the RootPath of appserver.ini */
			w.claim = "fileserver";
			w.claim_path = "/totvs/protheus_data";
		}
		obj = workload(t, e, &w, &ann);
		puti(ann, "hypnus-replicas", e->replicas[i]);
		if (create(sd, sd->r_deploy, e->ns, obj, 0, err) < 0 ||
		    add_service(sd, t, e, name, "appserver", ports, err) < 0)
			return -1;
		if (strcmp(role, "job") && add_ingress(sd, t, e, role, name, ports[0].port, err) < 0)
			return -1;
	}
	return 0;
}

static int add_hypnus(seeder *sd, const sim_tenant *t, int env, sim_err *err)
{
	static const port_spec ports[] = {{"proxy", 8080}, {"metrics", 9090}, {NULL, 0}};
	const sim_fleet_env *e = &t->envs[env];
	workload_spec w = {.kind = "Deployment", .name = "hypnus", .tier = "proxy",
			   .component = "hypnus", .replicas = 1, .ports = ports,
			   .image = REGISTRY "smart/hypnus:1.8.2", .log_profile = "hypnus"};
	cJSON *ann, *obj = workload(t, e, &w, &ann), *meta, *labels, *data;
	char buf[32];

	putp(ann, "hypnus-state",
	     e->scenario == SIM_SCN_SLEEPING ? "sleeping"
	     : e->scenario == SIM_SCN_WAKING ? "waking" : "active");
	put_time(ann, "hypnus-last-activity", e->last_activity_s);
	puti(ann, "hypnus-idle-timeout", e->idle_timeout_s);
	put_time(ann, "hypnus-last-wake", e->last_wake_s);
	puti(ann, "hypnus-cold-start-seconds", 20 + (long long)(sim_fleet_mix(t->seed + env) % 70));
	if (create(sd, sd->r_deploy, e->ns, obj, 0, err) < 0 ||
	    add_service(sd, t, e, "hypnus", "hypnus", ports, err) < 0)
		return -1;

	obj = new_obj("v1", "ConfigMap", "hypnus-usage", &meta);
	labels = cJSON_AddObjectToObject(meta, "labels");
	tenant_labels(labels, t, e);
	putp(labels, "component", "hypnus");
	data = cJSON_AddObjectToObject(obj, "data");
	put(data, "start", sd->usage_start);
	snprintf(buf, sizeof(buf), "%d", t->utc_offset_min);
	put(data, "utc-offset-minutes", buf);
	put(data, "timezone", t->timezone);
	sim_usage_history(t, env, sd->usage_start_s, sd->hours, SIM_FLEET_HOURS);
	sb_reset(&sd->sb);
	for (size_t i = 0; i < SIM_FLEET_HOURS; i++)
		sb_addf(&sd->sb, i ? ",%u" : "%u", sd->hours[i]);
	put(data, "hours", sd->sb.buf);
	return create(sd, sd->r_cm, e->ns, obj, 0, err);
}

/* A claim seeded as its provisioner left it long ago: bound (the fleet is a cluster that
 * has run a while; its provisioning Events are long gone). */
static void seed_bound(cJSON *pvc, const char *ns, const char *name)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(pvc, "spec"), *st, *cap, *ann;
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(pvc, "metadata");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "resources"), "requests");
	char vol[300];

	snprintf(vol, sizeof(vol), "pvc-%s-%s", ns, name);
	put(spec, "volumeName", vol);
	ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	if (!ann)
		ann = cJSON_AddObjectToObject(meta, "annotations");
	put(ann, "pv.kubernetes.io/bind-completed", "yes");
	put(ann, "pv.kubernetes.io/bound-by-controller", "yes");
	st = cJSON_AddObjectToObject(pvc, "status");
	put(st, "phase", "Bound");
	cJSON_AddItemToObject(st, "accessModes",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(spec, "accessModes"), 1));
	cap = cJSON_AddObjectToObject(st, "capacity");
	cJSON_AddItemToObject(cap, "storage", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "storage"), 1));
}

static int add_storage(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, sim_err *err)
{
	cJSON *meta, *o, *labels, *spec, *acc;
	const char *sc = !strcmp(t->provider, "aws")   ? "efs-sc"
			 : !strcmp(t->provider, "gcp") ? "filestore-sc" : "totvs-nfs";
	/* sizes the provider takes: Filestore's basic tiers start at 1Ti */
	const char *size = !strcmp(t->provider, "gcp") ? "1Ti" : strcmp(e->env, "prod") ? "20Gi" : "100Gi";

	o = new_obj("v1", "PersistentVolumeClaim", "fileserver", &meta);
	labels = cJSON_AddObjectToObject(meta, "labels");
	tenant_labels(labels, t, e);
	putp(labels, "component", "fileserver");
	spec = cJSON_AddObjectToObject(o, "spec");
	acc = cJSON_AddArrayToObject(spec, "accessModes");
	cJSON_AddItemToArray(acc, cJSON_CreateString("ReadWriteMany"));
	put(spec, "storageClassName", sc);
	put(cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "resources"), "requests"),
	    "storage", size);
	seed_bound(o, e->ns, "fileserver");
	return create(sd, sd->r_pvc, e->ns, o, 0, err);
}

static int add_postgres(seeder *sd, const sim_tenant *t, const sim_fleet_env *e, sim_err *err)
{
	static const port_spec ports[] = {{"postgres", 5432}, {NULL, 0}};
	workload_spec w = {.kind = "StatefulSet", .name = "postgres", .tier = "data",
			   .component = "postgres", .replicas = 1, .ports = ports,
			   .image = "postgres:15", .log_profile = "postgres"};
	cJSON *ann, *obj = workload(t, e, &w, &ann), *spec, *vct, *pvc, *meta, *pspec, *acc;

	spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	vct = cJSON_AddArrayToObject(spec, "volumeClaimTemplates");
	pvc = cJSON_CreateObject();
	cJSON_AddItemToArray(vct, pvc);
	meta = cJSON_AddObjectToObject(pvc, "metadata");
	put(meta, "name", "pgdata");
	pspec = cJSON_AddObjectToObject(pvc, "spec");
	acc = cJSON_AddArrayToObject(pspec, "accessModes");
	cJSON_AddItemToArray(acc, cJSON_CreateString("ReadWriteOnce"));
	put(cJSON_AddObjectToObject(cJSON_AddObjectToObject(pspec, "resources"), "requests"),
	    "storage", "10Gi");
	/* its claim exists already, bound, as the statefulset controller made it */
	{
		cJSON *claim = cJSON_Duplicate(pvc, 1), *cmeta = cJSON_GetObjectItemCaseSensitive(claim, "metadata");
		const cJSON *sel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "selector"),
								    "matchLabels");

		cJSON_AddStringToObject(claim, "apiVersion", "v1");
		cJSON_AddStringToObject(claim, "kind", "PersistentVolumeClaim");
		cJSON_ReplaceItemInObjectCaseSensitive(cmeta, "name", cJSON_CreateString("pgdata-postgres-0"));
		if (sel)
			cJSON_AddItemToObject(cmeta, "labels", cJSON_Duplicate(sel, 1));
		seed_bound(claim, e->ns, "pgdata-postgres-0");
		if (create(sd, sd->r_pvc, e->ns, claim, 0, err) < 0)
			return -1;
	}
	if (create(sd, sd->r_sts, e->ns, obj, 0, err) < 0)
		return -1;
	return add_service(sd, t, e, "postgres", "postgres", ports, err);
}

static int add_cluster_objects(seeder *sd, sim_err *err)
{
	/* name, provisioner, Filestore tier, allowVolumeExpansion (EFS is elastic: none) */
	static const struct {
		const char *name, *provisioner, *tier;
		int expand;
	} classes[] = {
		{"efs-sc", "efs.csi.aws.com", NULL, 0},
		{"filestore-sc", "filestore.csi.storage.gke.io", "standard", 1},
		{"totvs-nfs", "nfs.csi.k8s.io", NULL, 1},
	};
	cJSON *meta, *o, *data;

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		o = new_obj("storage.k8s.io/v1", "StorageClass", classes[i].name, &meta);
		put(o, "provisioner", classes[i].provisioner);
		if (classes[i].tier)
			put(cJSON_AddObjectToObject(o, "parameters"), "tier", classes[i].tier);
		put(o, "reclaimPolicy", "Retain");
		put(o, "volumeBindingMode", "Immediate");
		if (classes[i].expand)
			cJSON_AddBoolToObject(o, "allowVolumeExpansion", 1);
		if (create(sd, sd->r_sc, "", o, 1, err) < 0)
			return -1;
	}
	o = new_obj("v1", "Namespace", SIM_FLEET_SYSTEM_NS, &meta);
	put(cJSON_AddObjectToObject(meta, "labels"), "app.kubernetes.io/part-of", "smartops");
	if (create(sd, sd->r_ns, "", o, 1, err) < 0)
		return -1;
	o = new_obj("v1", "ConfigMap", "predecessor-rules", &meta);
	put(cJSON_AddObjectToObject(meta, "labels"), "app.kubernetes.io/part-of", "smartops");
	put(cJSON_AddObjectToObject(o, "data"), "rules", SIM_RULES_DEFAULT);
	if (create(sd, sd->r_cm, SIM_FLEET_SYSTEM_NS, o, 1, err) < 0)
		return -1;
	/* the platform's RPO buckets, as its operators set them up for custom builds
	 * (--managed-postgres adds its key to this ConfigMap) */
	o = new_obj("v1", "ConfigMap", SIM_PLATFORM_CONFIGMAP, &meta);
	put(cJSON_AddObjectToObject(meta, "labels"), "app.kubernetes.io/part-of", "smartops");
	data = cJSON_AddObjectToObject(o, "data");
	put(data, "rpo.aws", SIM_PLATFORM_RPO_AWS);
	put(data, "rpo.gcp", SIM_PLATFORM_RPO_GCP);
	put(data, "rpo.totvs", SIM_PLATFORM_RPO_TOTVS);
	return create(sd, sd->r_cm, SIM_FLEET_SYSTEM_NS, o, 1, err);
}

static int seed_tenant(seeder *sd, const sim_tenant *t, sim_err *err)
{
	for (int env = 0; env < SIM_ENV_COUNT; env++) {
		const sim_fleet_env *e = &t->envs[env];

		/* the file server's claim before the AppServers that mount it */
		if (add_namespace(sd, t, env, err) < 0 || (!t->esocial && add_storage(sd, t, e, err) < 0) ||
		    add_base(sd, t, e, err) < 0 || add_public(sd, t, e, err) < 0 || add_hypnus(sd, t, env, err) < 0)
			return -1;
		if (!t->esocial && env == SIM_ENV_DEV && add_postgres(sd, t, e, err) < 0)
			return -1;
	}
	return 0;
}

int sim_fleet_seed(sim_store *s, size_t n, uint64_t seed, const char *domain, sim_err *err)
{
	seeder sd = {.s = s, .domain = domain && *domain ? domain : "smart.example.com"};
	char start[40];
	int ret = -1;

	if (n > SIM_FLEET_MAX)
		return sim_err_set(err, 400, "BadRequest", "fleet of %zu tenants: at most %d", n,
				   SIM_FLEET_MAX);
	sim_fleet_reset();
	fleet_seed = seed;
	fleet_epoch = sim_store_now(s);
	tenants = xcalloc(n ? n : 1, sizeof(*tenants));
	by_code = xmalloc(100000 * sizeof(*by_code));
	for (size_t i = 0; i < 100000; i++)
		by_code[i] = -1;
	for (size_t i = 0; i < n; i++) {
		gen_tenant(&tenants[i], i, n, seed);
		by_code[sim_fleet_code(i)] = (int32_t)i;
	}
	n_tenants = n;
	sim_catalog_rebuild(fleet_epoch);

	sd.r_ns = sim_resource_find("", "v1", "namespaces");
	sd.r_cm = sim_resource_find("", "v1", "configmaps");
	sd.r_secret = sim_resource_find("", "v1", "secrets");
	sd.r_svc = sim_resource_find("", "v1", "services");
	sd.r_pvc = sim_resource_find("", "v1", "persistentvolumeclaims");
	sd.r_deploy = sim_resource_find("apps", "v1", "deployments");
	sd.r_sts = sim_resource_find("apps", "v1", "statefulsets");
	sd.r_ing = sim_resource_find("networking.k8s.io", "v1", "ingresses");
	sd.r_sc = sim_resource_find("storage.k8s.io", "v1", "storageclasses");
	sd.usage_start_s = sim_usage_start(fleet_epoch);
	util_rfc3339(sd.usage_start_s, start, sizeof(start));
	sd.usage_start = start;
	sb_init(&sd.sb, 4096);

	if (add_cluster_objects(&sd, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (seed_tenant(&sd, &tenants[i], err) < 0)
			goto out;
	ret = 0;
out:
	sb_release(&sd.sb);
	return ret;
}

static int set_custom_repo(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");

	(void)err;
	if (!cJSON_IsObject(ann))
		ann = cJSON_AddObjectToObject(meta, "annotations");
	cJSON_DeleteItemFromObjectCaseSensitive(ann, P "custom-repo");
	putp(ann, "custom-repo", ctx);
	return 0;
}

int sim_fleet_custom_repo(sim_store *s, const char *url, sim_err *err)
{
	const sim_resource *r = sim_resource_find("", "v1", "namespaces");

	if (!*url)
		return sim_err_set(err, 400, "BadRequest", "an empty URL: give the repository's, e.g. "
				   "file:///srv/git/custom.git");
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return sim_err_set(err, 400, "BadRequest", "\"%s\" holds a blank or control character", url);
	for (size_t i = 0; i < n_tenants; i++) {
		if (tenants[i].esocial)
			continue;
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			if (sim_store_mutate(s, r, "", tenants[i].envs[env].ns, set_custom_repo, (void *)url, 0, NULL,
					     err) < 0)
				return -1;
	}
	return 0;
}

/* ---- GET /sim/v1/fleet --------------------------------------------------- */

const char *sim_fleet_live_state(sim_store *s, const char *ns)
{
	const sim_resource *deploy = sim_resource_find("apps", "v1", "deployments");
	sim_obj *o = sim_store_get(s, deploy, ns, "hypnus", NULL);
	const char *ret = NULL;
	cJSON *tree, *ann, *st;

	if (!o)
		return NULL;
	tree = sim_obj_parse(o);
	ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "metadata"),
					       "annotations");
	st = cJSON_GetObjectItemCaseSensitive(ann, P "hypnus-state");
	if (cJSON_IsString(st)) {
		if (!strcmp(st->valuestring, "sleeping"))
			ret = "sleeping";
		else if (!strcmp(st->valuestring, "waking"))
			ret = "waking";
		else if (!strcmp(st->valuestring, "active"))
			ret = "available";
	}
	cJSON_Delete(tree);
	sim_obj_unref(o);
	return ret;
}

cJSON *sim_fleet_report(sim_store *s, int (*present)(void *ctx, const sim_tenant *t, int env),
			void *ctx)
{
	cJSON *root = cJSON_CreateObject(), *items;

	cJSON_AddStringToObject(root, "kind", "Fleet");
	cJSON_AddNumberToObject(root, "seed", (double)fleet_seed);
	items = cJSON_AddArrayToObject(root, "items");
	for (size_t i = 0; i < n_tenants; i++) {
		const sim_tenant *t = &tenants[i];
		cJSON *it, *envs;
		int n = 0;

		for (int env = 0; env < SIM_ENV_COUNT; env++)
			n += !present || present(ctx, t, env);
		if (!n)
			continue;
		it = cJSON_CreateObject();
		cJSON_AddItemToArray(items, it);
		put(it, "tcode", t->tcode);
		put(it, "customer", t->customer);
		put(it, "product", t->esocial ? "esocial" : "erp");
		put(it, "provider", t->provider);
		envs = cJSON_AddArrayToObject(it, "envs");
		for (int env = 0; env < SIM_ENV_COUNT; env++) {
			const sim_fleet_env *e = &t->envs[env];
			cJSON *eo;
			const char *scn = sim_scenario_health(e->scenario);

			if (present && !present(ctx, t, env))
				continue;
			if (s && (e->scenario == SIM_SCN_AVAILABLE || e->scenario == SIM_SCN_SLEEPING ||
				  e->scenario == SIM_SCN_WAKING)) {
				const char *live = sim_fleet_live_state(s, e->ns);

				if (live)
					scn = live;
			}
			eo = cJSON_CreateObject();
			cJSON_AddItemToArray(envs, eo);
			put(eo, "env", e->env);
			put(eo, "namespace", e->ns);
			put(eo, "scenario", scn);
			put(eo, "cause", sim_scenario_cause(e->scenario));
		}
	}
	return root;
}

char *sim_fleet_json(sim_store *s)
{
	cJSON *root = sim_fleet_report(s, NULL, NULL);
	char *text = cJSON_PrintUnformatted(root), *ret;

	cJSON_Delete(root);
	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}
