/* core/rules_fetch.h — the predecessor rules a cluster keeps (ConfigMap
 * smartops-system/predecessor-rules, key "rules"), read once; the defaults when
 * there are none. One reader for the fleet, the provisioning commands and the
 * wizards, so that they all judge and plan by the same rules. */
#ifndef CORE_RULES_FETCH_H
#define CORE_RULES_FETCH_H

#include <stddef.h>

#include "core/rules.h"
#include "k8s/client.h"

/* *out gets the cluster's rules or the defaults. Returns 1: the cluster's rules;
 * 0: the defaults, because the cluster has none (404) or, with a sentence in note,
 * because its rules are invalid or could not be read; -1: the cluster did not
 * answer (err says why; *out holds the defaults). note may be NULL. */
int rules_fetch(k8s_client *c, rules *out, char *note, size_t notesz, k8s_err *err);

#endif
