/* The registry of step executors (see core/step.h). */
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "core/step.h"
#include "core/step_job.h"
#include "core/step_mount.h"
#include "core/step_pg.h"
#include "core/step_roll.h"
#include "core/step_rpo.h"
#include "core/wizard_build.h"
#include "util/util.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static const step_exec *execs[STEP_EXEC_MAX] = {
    &step_k8s,	      &step_mount,    &step_pg_role, &step_pg_database, &step_pg_access,
    &step_roll,	      &step_job,      &step_custombuild, &step_rpo};
static size_t n_execs = 9;

void step_seen_release(step_seen *s)
{
	cJSON_Delete(s->live);
	memset(s, 0, sizeof(*s));
}

void step_env_close(step_env *env)
{
	if (env->conn && env->conn_close)
		env->conn_close(env->conn);
	env->conn = NULL;
	env->conn_close = NULL;
}

const step_exec *step_exec_of(const plan_step *s)
{
	return s->exec ? s->exec : &step_k8s;
}

void step_fail(step_env *env, const k8s_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->msg, sizeof(env->msg), fmt, ap);
	va_end(ap);
	env->http = err ? err->http : 0;
}

char *step_print_tree(const cJSON *tree)
{
	char *text = cJSON_PrintUnformatted(tree), *ret;

	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}

const step_exec *step_exec_find(const char *name)
{
	const step_exec *x = NULL;
	size_t i;

	if (!name || !*name)
		return &step_k8s;
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_execs && !x; i++)
		if (!strcmp(execs[i]->name, name))
			x = execs[i];
	pthread_mutex_unlock(&mu);
	return x;
}

int step_exec_register(const step_exec *x)
{
	size_t i;
	int ret = -1;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_execs; i++)
		if (execs[i] == x || !strcmp(execs[i]->name, x->name))
			break;
	if (i < n_execs) {
		ret = execs[i] == x ? 0 : -1; /* a name is one executor's */
	} else if (n_execs < STEP_EXEC_MAX) {
		execs[n_execs++] = x;
		ret = 0;
	}
	pthread_mutex_unlock(&mu);
	return ret;
}

const char *step_rollback_name(step_rollback r)
{
	static const char *const names[] = {"delete", "restore", "keep-unless-confirmed"};

	return (unsigned)r < ARRAY_SIZE(names) ? names[r] : "delete";
}

int step_rollback_parse(const char *s)
{
	int i;

	for (i = 0; i <= STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED; i++)
		if (s && !strcmp(s, step_rollback_name((step_rollback)i)))
			return i;
	return -1;
}
