/* core/wizard_ns.h — the namespace wizard: its entry in the table of wizards
 * (core/wizard.h) and its one plan builder, which the command line and the
 * console both call with typed options (the table's builder takes the plan's
 * inputs, for a resume). Reads the catalogue and the cluster: not on the UI
 * thread. */
#ifndef CORE_WIZARD_NS_H
#define CORE_WIZARD_NS_H

#include "core/provision_ns.h"
#include "core/wizard.h"

extern const wizard wizard_namespace;

/* The namespace plan for o: the contract of o->tcode looked up in the
 * catalogue and checked (entry, may be NULL, gets it), o checked (defaults
 * filled in), the predecessor rules read (the defaults when unreadable: note
 * says so), the plan built into out (plan_release it). 0, or -1 with err and
 * *fail (and kerr when the catalogue or the cluster did not answer). */
int wizard_ns_build(const wizard_ctx *c, provision_ns_opts *o, catalog_entry *entry, plan *out,
		    char *err, size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note,
		    size_t notesz);

/* The first half of it, for a wizard's first page: the contract of tcode,
 * looked up and checked. 0, or -1 with err and *fail; entry gets what was
 * found even when refused. */
int wizard_ns_contract(const wizard_ctx *c, const char *tcode, catalog_entry *entry, char *err,
		       size_t errsz, wizard_fail *fail, k8s_err *kerr);

#endif
