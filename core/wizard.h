/* core/wizard.h — the wizards smartops knows, in one table: for each its name,
 * what it is for, the products it applies to, its inputs, and its plan
 * builder. The command line (`smartops plan|apply <wizard>`, `runs resume`),
 * the console's wizard screen, its runs screen and `:new` find a wizard here by
 * name, and every plan of a wizard is built by its one builder, whoever asks.
 *
 * A new wizard is one file in core/ (its inputs, its plan builder and its
 * const wizard) plus its line in wizards[] (core/wizard.c); see docs/engine.md
 * for the rest. Builders read the network (the catalogue, the predecessor
 * rules): call them off the UI thread. */
#ifndef CORE_WIZARD_H
#define CORE_WIZARD_H

#include <stddef.h>

#include "core/plan.h"
#include "k8s/client.h"

enum {
	WIZARD_ERP = 1 << 0,	 /* applies to SMART ERP tenants */
	WIZARD_ESOCIAL = 1 << 1, /* applies to Smart eSocial tenants */
};

typedef struct wizard wizard;

/* wizard_input.flags */
enum {
	/* A secret (a password): typed in the console only, masked as it is typed;
	 * never taken from the command line (argv is visible to every user of the
	 * machine), never a plan's or a journal's input (the builder puts it only in
	 * a secret step's body), never shown; the caller wipes its copies. */
	WIZARD_INPUT_SECRET = 1 << 0,
	/* Asked only of a tenant of that product (the console's form leaves it out
	 * for the other; the builder then takes its default). */
	WIZARD_INPUT_ONLY_ERP = 1 << 1,
	WIZARD_INPUT_ONLY_ESOCIAL = 1 << 2,
};

typedef struct wizard_input {
	const char *key;     /* as in the plan's and the journal's inputs */
	const char *help;    /* one line: what it is, its values */
	const char *def;     /* the default, or NULL when required */
	const char *flag;    /* the CLI's --flag when it is not the key, else NULL */
	const char *choices; /* "prod,dev": the only values (a form cycles them), or NULL */
	unsigned flags;	     /* WIZARD_INPUT_SECRET, WIZARD_INPUT_ONLY_..., or 0 */
} wizard_input;

/* The CLI's option name of an input: its flag, else its key. */
const char *wizard_input_flag(const wizard_input *in);
/* The input of w whose CLI option is flag, or NULL. */
const wizard_input *wizard_input_by_flag(const wizard *w, const char *flag);

/* Where a builder reads what a plan depends on. */
typedef struct wizard_ctx {
	k8s_client *client;	 /* the cluster of the plan */
	const char *catalog_url; /* the contract catalogue, or NULL (then refused) */
	const char *prefix;	 /* label prefix, NULL: smart.totvs.com/ */
} wizard_ctx;

/* Why a build failed: bad input or a refusal (err says what to do), or the
 * cluster or catalogue did not answer (kerr says how: exit 3 when unreachable). */
typedef enum wizard_fail {
	WIZARD_FAIL_NONE,
	WIZARD_FAIL_REFUSED,
	WIZARD_FAIL_CLUSTER,
} wizard_fail;

/* A builder's GET of path: 0 found (*out, the caller frees), 1 not found (404),
 * -1 no answer: *fail is WIZARD_FAIL_CLUSTER, *kerr how, err says what. */
int wizard_get(const wizard_ctx *c, const char *path, cJSON **out, wizard_fail *fail, k8s_err *kerr, char *err,
	       size_t errsz);

struct wizard {
	const char *name;  /* "namespace": the CLI's word, the journal's "wizard" */
	const char *title; /* "New namespace" */
	const char *about; /* one line for help and usage */
	unsigned products; /* WIZARD_ERP | WIZARD_ESOCIAL */
	const wizard_input *inputs;
	size_t n_inputs;
	/* The plan from inputs (key/value, as the plan and the journal keep them):
	 * the contract looked up and checked, the inputs checked, the plan built.
	 * 0, or -1 with err and *fail. note (may be NULL) gets a remark worth
	 * showing (e.g. the default predecessor rules were used). */
	int (*build)(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err,
		     size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz);
};

/* The wizard called name, or NULL. */
const wizard *wizard_find(const char *name);
/* The known wizards, in order (i < wizard_count()). */
size_t wizard_count(void);
const wizard *wizard_at(size_t i);
/* "namespace, database" — the names, for usage messages. */
void wizard_names(char *buf, size_t size);

#endif
