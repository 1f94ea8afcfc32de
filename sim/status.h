/* sim/status.h — API errors in the shape of a Kubernetes Status. */
#ifndef SIM_STATUS_H
#define SIM_STATUS_H

/* HTTP code, reason and message; for 422 the first cause's field. */
typedef struct sim_err {
	int code;           /* 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 503 */
	const char *reason; /* "BadRequest", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed",
			       "AlreadyExists", "Conflict", "Gone", "Expired", "RequestEntityTooLarge",
			       "UnsupportedMediaType", "Invalid", "TooManyRequests", "InternalError",
			       "ServiceUnavailable" */
	char message[512];
	char field[128];    /* 422: the field at fault ("metadata.name"), else "" */
	char kind[64];      /* details.kind, e.g. "pods", or "" */
	char name[256];     /* details.name, or "" */
} sim_err;

/* Fills err (reason, code, printf-style message) and returns -1. Any of err's
 * other fields stay as they were; err may be NULL. */
int sim_err_set(sim_err *err, int code, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets the 422 cause field (and returns -1). */
int sim_err_field(sim_err *err, const char *field);
/* The Status object for err, serialized; malloc'd. */
char *sim_status_json(const sim_err *err);

#endif
