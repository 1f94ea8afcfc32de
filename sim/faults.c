#include <pthread.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/faults.h"
#include "util/util.h"

struct sim_faults {
	pthread_mutex_t lock;
	sim_fault_cfg cfg;
	uint64_t rng;
};

sim_faults *sim_faults_new(void)
{
	sim_faults *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->lock, NULL);
	f->rng = 0x9e3779b97f4a7c15ULL;
	return f;
}

void sim_faults_free(sim_faults *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static int get_num(const cJSON *root, const char *key, double lo, double hi, double *out,
		   sim_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		return sim_err_set(err, 400, "BadRequest",
				   "fault %s must be a number from %g to %g", key, lo, hi);
	*out = v->valuedouble;
	return 0;
}

static const char *const known[] = {
	"latency_ms", "error_rate", "error_code", "retry_after_s", "watch_cut_s", "gone_watch",
	"gone_continue", "truncate_rate", "malformed_rate", "slow_bps",
	/* a hung server */
	"hang",
	/* write faults */
	"lose_write_reply", "foreign_create", "refuse_write", "write_path", "write_latency_ms",
	/* build faults */
	"quality_gate", "compile",
};

/* A build fault: "fail" (1), "ok" (0), or a count. */
static int get_build(const cJSON *root, const char *key, int *out, sim_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v) && (!strcmp(v->valuestring, "fail") || !strcmp(v->valuestring, "ok"))) {
		*out = !strcmp(v->valuestring, "fail");
		return 0;
	}
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1000 &&
	    v->valuedouble == (int)v->valuedouble) {
		*out = (int)v->valuedouble;
		return 0;
	}
	return sim_err_set(err, 400, "BadRequest",
			   "fault %s must be \"fail\" (the next build fails there), \"ok\", or a "
			   "number of builds from 0 to 1000", key);
}

int sim_faults_set_json(sim_faults *f, const char *json, sim_err *err)
{
	cJSON *root = cJSON_Parse(json);
	sim_fault_cfg c;
	const cJSON *it;
	double v;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (!cJSON_IsObject(root)) {
		sim_err_set(err, 400, "BadRequest", "faults: the body must be a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(it, root) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (!strcmp(it->string, known[i]))
				break;
		if (i == ARRAY_SIZE(known)) {
			sim_err_set(err, 400, "BadRequest", "faults: unknown key \"%s\"", it->string);
			goto out;
		}
	}
	if (get_num(root, "latency_ms", 0, 60000, &v, err)) goto out;
	c.latency_ms = (int)v;
	if (get_num(root, "error_rate", 0, 1, &v, err)) goto out;
	c.error_rate = v;
	if (get_num(root, "error_code", 0, 599, &v, err)) goto out;
	c.error_code = (int)v;
	if (c.error_rate > 0 && c.error_code < 400) {
		sim_err_set(err, 400, "BadRequest", "faults: error_rate needs an error_code from 400 to 599");
		goto out;
	}
	if (get_num(root, "retry_after_s", 0, 3600, &v, err)) goto out;
	c.retry_after_s = (int)v;
	if (get_num(root, "watch_cut_s", 0, 86400, &v, err)) goto out;
	c.watch_cut_s = (int)v;
	if (get_num(root, "gone_watch", 0, 1, &v, err)) goto out;
	c.gone_watch = v != 0;
	if (get_num(root, "gone_continue", 0, 1, &v, err)) goto out;
	c.gone_continue = v != 0;
	if (get_num(root, "truncate_rate", 0, 1, &v, err)) goto out;
	c.truncate_rate = v;
	if (get_num(root, "malformed_rate", 0, 1, &v, err)) goto out;
	c.malformed_rate = v;
	if (get_num(root, "slow_bps", 0, 1e12, &v, err)) goto out;
	c.slow_bps = (long)v;
	if (get_num(root, "hang", 0, 1, &v, err)) goto out;
	c.hang = v != 0;
	/* write faults */
	if (get_num(root, "write_latency_ms", 0, 60000, &v, err)) goto out;
	c.write_latency_ms = (int)v;
	if (get_num(root, "lose_write_reply", 0, 1000, &v, err)) goto out;
	c.lose_write_reply = (int)v;
	if (get_num(root, "foreign_create", 0, 1000, &v, err)) goto out;
	c.foreign_create = (int)v;
	if (get_num(root, "refuse_write", 0, 1000, &v, err)) goto out;
	c.refuse_write = (int)v;
	if (get_build(root, "quality_gate", &c.quality_gate, err)) goto out;
	if (get_build(root, "compile", &c.compile, err)) goto out;
	it = cJSON_GetObjectItemCaseSensitive(root, "write_path");
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsString(it) || strlen(it->valuestring) >= sizeof(c.write_path)) {
			sim_err_set(err, 400, "BadRequest", "fault write_path must be a string of at most %zu bytes",
				    sizeof(c.write_path) - 1);
			goto out;
		}
		util_strlcpy(c.write_path, it->valuestring, sizeof(c.write_path));
	}
	pthread_mutex_lock(&f->lock);
	f->cfg = c;
	pthread_mutex_unlock(&f->lock);
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}

void sim_faults_clear(sim_faults *f)
{
	pthread_mutex_lock(&f->lock);
	memset(&f->cfg, 0, sizeof(f->cfg));
	pthread_mutex_unlock(&f->lock);
}

void sim_faults_get(sim_faults *f, sim_fault_cfg *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->cfg;
	pthread_mutex_unlock(&f->lock);
}

char *sim_faults_json(sim_faults *f)
{
	sim_fault_cfg c;
	cJSON *o = cJSON_CreateObject();
	char *s;

	sim_faults_get(f, &c);
	cJSON_AddNumberToObject(o, "latency_ms", c.latency_ms);
	cJSON_AddNumberToObject(o, "error_rate", c.error_rate);
	cJSON_AddNumberToObject(o, "error_code", c.error_code);
	cJSON_AddNumberToObject(o, "retry_after_s", c.retry_after_s);
	cJSON_AddNumberToObject(o, "watch_cut_s", c.watch_cut_s);
	cJSON_AddBoolToObject(o, "gone_watch", c.gone_watch);
	cJSON_AddBoolToObject(o, "gone_continue", c.gone_continue);
	cJSON_AddNumberToObject(o, "truncate_rate", c.truncate_rate);
	cJSON_AddNumberToObject(o, "malformed_rate", c.malformed_rate);
	cJSON_AddNumberToObject(o, "slow_bps", (double)c.slow_bps);
	cJSON_AddBoolToObject(o, "hang", c.hang);
	cJSON_AddNumberToObject(o, "lose_write_reply", c.lose_write_reply);
	cJSON_AddNumberToObject(o, "foreign_create", c.foreign_create);
	cJSON_AddNumberToObject(o, "refuse_write", c.refuse_write);
	cJSON_AddStringToObject(o, "write_path", c.write_path);
	cJSON_AddNumberToObject(o, "write_latency_ms", c.write_latency_ms);
	cJSON_AddNumberToObject(o, "quality_gate", c.quality_gate);
	cJSON_AddNumberToObject(o, "compile", c.compile);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int sim_faults_hanging(sim_faults *f)
{
	int h;

	pthread_mutex_lock(&f->lock);
	h = f->cfg.hang;
	pthread_mutex_unlock(&f->lock);
	return h;
}

int sim_faults_take_write(sim_faults *f, enum sim_write_fault which, const char *path)
{
	int *count, ret = 0;

	pthread_mutex_lock(&f->lock);
	count = which == SIM_FAULT_LOSE_WRITE_REPLY ? &f->cfg.lose_write_reply
		: which == SIM_FAULT_FOREIGN_CREATE ? &f->cfg.foreign_create
						    : &f->cfg.refuse_write;
	if (*count > 0 && (!f->cfg.write_path[0] || strstr(path, f->cfg.write_path))) {
		(*count)--;
		ret = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int sim_faults_take_build(sim_faults *f, enum sim_build_fault which)
{
	int *count, ret = 0;

	if (!f)
		return 0;
	pthread_mutex_lock(&f->lock);
	count = which == SIM_FAULT_QUALITY_GATE ? &f->cfg.quality_gate : &f->cfg.compile;
	if (*count > 0) {
		(*count)--;
		ret = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int sim_faults_roll(sim_faults *f, double rate)
{
	uint64_t z;

	if (rate <= 0)
		return 0;
	if (rate >= 1)
		return 1;
	pthread_mutex_lock(&f->lock);
	z = (f->rng += 0x9e3779b97f4a7c15ULL);
	pthread_mutex_unlock(&f->lock);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0 < rate;
}
