/* The table of wizards (see core/wizard.h). */
#include <stdio.h>
#include <string.h>

#include "core/wizard.h"
#include "core/promote.h"
#include "core/wizard_build.h"
#include "core/wizard_db.h"
#include "core/wizard_fs.h"
#include "core/wizard_ns.h"
#include "util/util.h"

static const wizard *const wizards[] = {
    &wizard_namespace,
    &wizard_fileserver,
    &wizard_database,
    &wizard_build,
    &wizard_promote,
};

size_t wizard_count(void)
{
	return ARRAY_SIZE(wizards);
}

const wizard *wizard_at(size_t i)
{
	return i < ARRAY_SIZE(wizards) ? wizards[i] : NULL;
}

const wizard *wizard_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(wizards); i++)
		if (!strcmp(wizards[i]->name, name))
			return wizards[i];
	return NULL;
}

void wizard_names(char *buf, size_t size)
{
	size_t i, len = 0;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(wizards) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					wizards[i]->name);
}

const char *wizard_input_flag(const wizard_input *in)
{
	return in->flag ? in->flag : in->key;
}

const wizard_input *wizard_input_by_flag(const wizard *w, const char *flag)
{
	size_t i;

	for (i = 0; flag && i < w->n_inputs; i++)
		if (!strcmp(wizard_input_flag(&w->inputs[i]), flag))
			return &w->inputs[i];
	return NULL;
}

int wizard_get(const wizard_ctx *c, const char *path, cJSON **out, wizard_fail *fail, k8s_err *kerr, char *err,
	       size_t errsz)
{
	k8s_err e;

	*out = NULL;
	if (k8s_get(c->client, path, out, &e) == 0)
		return 0;
	*out = NULL;
	if (e.http == 404)
		return 1;
	*kerr = e;
	*fail = WIZARD_FAIL_CLUSTER;
	util_seterr(err, errsz, "cannot read %s: %s", path, e.msg);
	return -1;
}
