#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/status.h"
#include "util/util.h"

int sim_err_set(sim_err *err, int code, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->reason = reason;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int sim_err_field(sim_err *err, const char *field)
{
	if (err)
		util_strlcpy(err->field, field, sizeof(err->field));
	return -1;
}

char *sim_status_json(const sim_err *err)
{
	cJSON *st = cJSON_CreateObject();
	cJSON *details = NULL;
	char *out;

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Failure");
	cJSON_AddStringToObject(st, "message", err->message);
	cJSON_AddStringToObject(st, "reason", err->reason ? err->reason : "InternalError");
	if (err->kind[0] || err->name[0] || err->field[0]) {
		details = cJSON_AddObjectToObject(st, "details");
		if (err->name[0])
			cJSON_AddStringToObject(details, "name", err->name);
		if (err->kind[0])
			cJSON_AddStringToObject(details, "kind", err->kind);
		if (err->field[0]) {
			cJSON *causes = cJSON_AddArrayToObject(details, "causes");
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "reason", "FieldValueInvalid");
			cJSON_AddStringToObject(c, "message", err->message);
			cJSON_AddStringToObject(c, "field", err->field);
			cJSON_AddItemToArray(causes, c);
		}
	}
	cJSON_AddNumberToObject(st, "code", err->code ? err->code : 500);
	out = cJSON_PrintUnformatted(st);
	cJSON_Delete(st);
	if (!out)
		die("out of memory rendering a Status");
	return out;
}
