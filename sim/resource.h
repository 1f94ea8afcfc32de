/* sim/resource.h — the table of resource types kubesim serves. Data only: discovery,
 * OpenAPI, routing, RBAC and tables all read this one list. */
#ifndef SIM_RESOURCE_H
#define SIM_RESOURCE_H

#include <stddef.h>

typedef struct sim_resource {
	const char *group;        /* "" for the core group */
	const char *version;      /* "v1" */
	const char *kind;         /* "Pod" */
	const char *plural;       /* "pods" */
	const char *singular;     /* "pod" */
	const char *short_names;  /* space-separated ("po"), or "" */
	int namespaced;
	const char *verbs;        /* space-separated API verbs */
	const char *subresources; /* space-separated ("log status"), or "" */
	int stored;               /* 0: virtual (access reviews): create only, nothing kept */
} sim_resource;

size_t sim_resource_count(void);
const sim_resource *sim_resource_at(size_t i);
/* Position of r in the table, 0..count-1. */
size_t sim_resource_index(const sim_resource *r);
/* By group ("" = core), version and plural; NULL when unknown. */
const sim_resource *sim_resource_find(const char *group, const char *version, const char *plural);
/* By apiVersion ("v1", "apps/v1") and kind; NULL when unknown. */
const sim_resource *sim_resource_by_kind(const char *api_version, const char *kind);
/* "apps/v1" or "v1" into buf. */
void sim_resource_api_version(const sim_resource *r, char *buf, size_t size);
/* 1 if the space-separated list `list` holds `word`. */
int sim_word_in(const char *list, const char *word);

#endif
