/* core/wizard_build.h — the custom-build wizard: the customer's git ref
 * pinned to a commit (core/git_ref.h), then a Job custombuild-<id> in the
 * env's namespace whose init containers are the build's stages (checkout,
 * sonarqube, compile, upload) and whose main container is `finish`; the RPO
 * goes to the provider's bucket named in smart-platform. Its history is kept
 * in ConfigMap custom-builds (core/build_history.h). See docs/builds.md.
 *
 * Smart eSocial tenants are refused; one build per tenant at a time (a
 * running build Job in either env refuses a new one, naming it and who
 * started it; the engine's Lease covers the run itself). */
#ifndef CORE_WIZARD_BUILD_H
#define CORE_WIZARD_BUILD_H

#include <stddef.h>

#include "core/step.h"
#include "core/wizard.h"

#define BUILD_PLATFORM_NS "smartops-system"
#define BUILD_PLATFORM_CM "smart-platform"
#define BUILD_IMAGE_DEFAULT "registry.smart.example.com/smart/rpo-builder:2.4.0"
#define BUILD_TTL_S 86400	 /* a finished Job is kept a day; the history longer */
#define BUILD_DEADLINE_S 7200	 /* a build that takes longer is stopped */
#define BUILD_EXEC "custombuild"

extern const wizard wizard_build;
/* The build Job's executor: the Job executor, and the build's history
 * recorded when the Job is made and when its end is seen. */
extern const step_exec step_custombuild;

/* The bucket URL for provider from smart-platform's data (key rpo.<provider>,
 * e.g. rpo.aws=s3://smart-rpo): s3:// for aws, gs:// for gcp, https:// for
 * totvs. 0, or -1 with err. Pure. */
int build_rpo_bucket(const char *provider, const char *configured, char *out, size_t size,
		     char *err, size_t errsz);
/* Where the env's RPOs go (the Job's RPO_LOCATION and its rpo-location
 * annotation): <bucket>/<tcode lower>/<env>; a build's RPO object is
 * <that>/<id>/custom.rpo (what the upload stage answers). */
void build_rpo_location(const char *bucket, const char *tcode, const char *env, char *out,
			size_t size);

#endif
