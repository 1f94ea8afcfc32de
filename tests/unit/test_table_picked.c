/* Server-side Tables made from picked members (stored, compact text) are the same bytes
 * as Tables made from the whole parsed object (any other text), for every printer and
 * every includeObject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/jpick.h"
#include "sim/resource.h"
#include "sim/store.h"
#include "sim/table.h"
#include "util/util.h"

#define NOW 1800000000 /* 2027-01-15T08:00:00Z */

typedef struct fixture {
	const char *group, *plural;
	const char *json; /* with ' for " */
} fixture;

/* Metadata with the hard parts: escapes, unicode, nesting, a number. */
#define META(name)                                                                                 \
	"'metadata':{'name':'" name "','namespace':'t1','uid':'u-1','resourceVersion':'17',"       \
	"'generation':3,'creationTimestamp':'2027-01-15T06:59:00Z','labels':{'app':'erp',"         \
	"'smart.totvs.com/tier':'base'},'annotations':{'note':'say \\'hi\\' {x}] \\\\ "            \
	"\\u0001 é \\/','json':'{\\'a\\':[1,2]}'},'ownerReferences':[{'kind':'X','name':'o',"      \
	"'controller':true}]}"

static const fixture fixtures[] = {
    {"", "pods",
     "{'kind':'Pod','apiVersion':'v1'," META("p1") ",'spec':{'nodeName':'node-1',"
     "'readinessGates':[{'conditionType':'www.example.com/gate'}],'initContainers':[{'name':"
     "'init','image':'busybox'}],'containers':[{'name':'app','image':'erp:1','env':[{'name':"
     "'A','value':'b'}]},{'name':'side','image':'log:2'}]},'status':{'phase':'Running',"
     "'podIP':'10.0.0.7','conditions':[{'type':'Ready','status':'True'},{'type':"
     "'www.example.com/gate','status':'True'}],'initContainerStatuses':[{'name':'init',"
     "'restartCount':1,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}],"
     "'containerStatuses':[{'name':'app','ready':true,'restartCount':2,'state':{'running':"
     "{'startedAt':'2027-01-15T07:00:00Z'}}},{'name':'side','ready':false,'restartCount':0,"
     "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}"},
    {"", "pods",
     "{'kind':'Pod'," META("p2") ",'spec':{'containers':[{'name':'a'}]},'status':{'phase':"
     "'Pending','initContainerStatuses':[{'state':{'waiting':{'reason':'PodInitializing'}}}]}}"},
    {"apps", "deployments",
     "{'kind':'Deployment','apiVersion':'apps/v1'," META("d1") ",'spec':{'replicas':2,"
     "'selector':{'matchLabels':{'app':'erp'},'matchExpressions':[{'key':'tier','operator':"
     "'In','values':['base','web']},{'key':'x','operator':'Exists'},{'key':'y','operator':"
     "'DoesNotExist'}]},'template':{'metadata':{'labels':{'app':'erp'}},'spec':{'containers':"
     "[{'name':'appserver','image':'totvs/appserver:24','resources':{'limits':{'cpu':'2'}}},"
     "{'name':'dbaccess','image':'totvs/dbaccess:23'}]}}},'status':{'replicas':2,"
     "'readyReplicas':1,'updatedReplicas':2,'availableReplicas':1}}"},
    {"apps", "deployments", "{" META("d2") ",'spec':{'template':{'spec':{}}}}"},
    {"apps", "statefulsets",
     "{'kind':'StatefulSet'," META("s1") ",'spec':{'replicas':1,'serviceName':'db',"
     "'template':{'spec':{'containers':[{'name':'pg','image':'postgres:16'}]}}},'status':{"
     "'readyReplicas':1}}"},
    {"batch", "jobs",
     "{'kind':'Job'," META("j1") ",'spec':{'completions':3,'parallelism':2,'selector':{"
     "'matchLabels':{'job':'j1'}},'template':{'spec':{'containers':[{'name':'run','image':"
     "'r:1'}]}}},'status':{'succeeded':3,'startTime':'2027-01-15T07:00:00Z','completionTime':"
     "'2027-01-15T07:03:10Z','conditions':[{'type':'Complete','status':'True'}]}}"},
    {"batch", "jobs",
     "{" META("j2") ",'spec':{'parallelism':4},'status':{'startTime':'2027-01-15T07:59:00Z'}}"},
    {"", "namespaces", "{'kind':'Namespace'," META("ns1") ",'status':{'phase':'Terminating'}}"},
    {"", "services",
     "{" META("svc1") ",'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.9','externalIPs':"
     "['1.2.3.4'],'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,"
     "'protocol':'UDP'}],'selector':{'app':'erp','tier':'web'}},'status':{'loadBalancer':{"
     "'ingress':[{'ip':'5.6.7.8'},{'hostname':'lb.example.com'}]}}}"},
    {"", "services", "{" META("svc2") ",'spec':{'type':'ExternalName','externalName':'db.x'}}"},
    {"", "configmaps", "{" META("cm1") ",'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}"},
    {"", "secrets", "{" META("sec1") ",'type':'kubernetes.io/tls','data':{'tls.crt':'QQ=='}}"},
    {"", "events",
     "{'kind':'Event'," META("ev1") ",'involvedObject':{'kind':'Pod','name':'p1','fieldPath':"
     "'spec.containers{app}'},'reason':'BackOff','message':'Back-off \\'restarting\\'',"
     "'type':'Warning','source':{'component':'kubelet','host':'node-1'},'firstTimestamp':"
     "'2027-01-15T07:00:00Z','lastTimestamp':'2027-01-15T07:58:00Z','count':12}"},
    {"", "events",
     "{" META("ev2") ",'involvedObject':{'kind':'Deployment','name':'d1'},'eventTime':"
     "'2027-01-15T07:59:30Z','reportingComponent':'ctl'}"},
    {"networking.k8s.io", "ingresses",
     "{" META("ing1") ",'spec':{'ingressClassName':'nginx','rules':[{'host':'a.example.com'},"
     "{'host':'b.example.com'},{}],'tls':[{'hosts':['a.example.com'],'secretName':'t'}]},"
     "'status':{'loadBalancer':{'ingress':[{'ip':'9.9.9.9'}]}}}"},
    {"", "persistentvolumeclaims",
     "{" META("pvc1") ",'spec':{'volumeName':'pv-1','storageClassName':'fast','volumeMode':"
     "'Block'},'status':{'phase':'Bound','capacity':{'storage':'10Gi'},'accessModes':["
     "'ReadWriteOnce','ReadOnlyMany','Other']}}"},
    {"coordination.k8s.io", "leases", "{" META("l1") ",'spec':{'holderIdentity':'me'}}"},
    {"", "serviceaccounts", "{" META("sa1") ",'secrets':[{'name':'tok'}]}"},
    /* a number cJSON prints as it is not kept: compact text goes the parsed way too */
    {"apps", "deployments", "{" META("d3") ",'spec':{'replicas':1,'x':1.5}}"},
    /* no metadata at all, and metadata that is not an object */
    {"apps", "deployments", "{'spec':{'replicas':4}}"},
    {"apps", "statefulsets", "{'metadata':'odd','spec':{'replicas':4}}"},
};

static const char *const includes[] = {"Metadata", "Object", "None", NULL, "Bogus"};

static cJSON *fixture_tree(const fixture *f)
{
	char *s = xstrdup(f->json);
	cJSON *t;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	t = cJSON_Parse(s);
	if (!t)
		fail_msg("fixture does not parse: %s", s);
	free(s);
	return t;
}

static char *render(const fixture *f, const char *const *objs, size_t n, const char *include)
{
	const sim_resource *r = sim_resource_find(f->group, "v1", f->plural);
	char *out;

	assert_non_null(r);
	out = sim_table_render(r, objs, n, include, "42", "c0", 7, NOW);
	assert_non_null(out);
	return out;
}

/* Each fixture as stored (compact) and pretty-printed (which jpick refuses, so it is
 * parsed whole): the same Table, byte for byte. */
static void test_each_printer_same_bytes(void **state)
{
	static const char *const any[] = {"metadata.name", NULL};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		cJSON *t = fixture_tree(&fixtures[i]);
		char *compact = cJSON_PrintUnformatted(t), *pretty = cJSON_Print(t);
		sim_jpick pk;

		/* the two ways are really taken */
		if (!strstr(fixtures[i].json, "1.5")) {
			assert_int_equal(sim_jpick_read(compact, any, &pk), 0);
			cJSON_Delete(pk.tree);
		}
		assert_int_equal(sim_jpick_read(pretty, any, &pk), -1);
		for (size_t k = 0; k < ARRAY_SIZE(includes); k++) {
			const char *c[] = {compact}, *p[] = {pretty};
			char *a = render(&fixtures[i], c, 1, includes[k]);
			char *b = render(&fixtures[i], p, 1, includes[k]);

			if (strcmp(a, b))
				fail_msg("%s %s include=%s:\n picked: %s\n parsed: %s",
					 fixtures[i].plural, fixtures[i].json,
					 includes[k] ? includes[k] : "(null)", a, b);
			free(a);
			free(b);
		}
		free(compact);
		free(pretty);
		cJSON_Delete(t);
	}
}

/* A page of several rows, some left out (no text, not JSON, not an object), mixed ways. */
static void test_page_rows_left_out(void **state)
{
	(void)state;
	for (size_t i = 0; i + 1 < ARRAY_SIZE(fixtures); i++) {
		const fixture *f = &fixtures[i], *g = &fixtures[i + 1];
		cJSON *t1, *t2;
		char *c1, *c2, *p1, *p2, *a, *b;

		if (strcmp(f->plural, g->plural) || strcmp(f->group, g->group))
			continue;
		t1 = fixture_tree(f);
		t2 = fixture_tree(g);
		c1 = cJSON_PrintUnformatted(t1);
		c2 = cJSON_PrintUnformatted(t2);
		p1 = cJSON_Print(t1);
		p2 = cJSON_Print(t2);
		for (size_t k = 0; k < ARRAY_SIZE(includes); k++) {
			const char *mixed[] = {NULL, c1, "{not json", "[1]", p2, "{\"a\":1}x"};
			/* cJSON takes an object with bytes after it (as before): a row */
			const char *parsed[] = {p1, p2, "{\"a\":1}"};

			a = render(f, mixed, ARRAY_SIZE(mixed), includes[k]);
			b = render(f, parsed, 3, includes[k]);
			assert_string_equal(a, b);
			free(a);
			free(b);
			/* and a page whose first rows are all left out */
			a = render(f, mixed + 2, 2, includes[k]);
			b = render(f, parsed, 0, includes[k]);
			assert_string_equal(a, b);
			assert_non_null(strstr(a, "\"rows\":[]}"));
			free(a);
			free(b);
		}
		free(c1);
		free(c2);
		free(p1);
		free(p2);
		cJSON_Delete(t1);
		cJSON_Delete(t2);
	}
}

/* The row's object when picked: metadata copied from the text as it is. */
static void test_picked_row_object(void **state)
{
	const char *obj = "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\",\"labels\":{\"a\":"
			  "\"b\\\"c\"}},\"spec\":{\"replicas\":1}}";
	const char *objs[] = {obj};
	const sim_resource *r = sim_resource_find("apps", "v1", "deployments");
	char *out;

	(void)state;
	out = sim_table_render(r, objs, 1, "Metadata", "1", NULL, 0, NOW);
	assert_non_null(strstr(out, ",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":"
				    "\"meta.k8s.io/v1\",\"metadata\":{\"name\":\"d\",\"labels\":{"
				    "\"a\":\"b\\\"c\"}}}}]}"));
	free(out);
	out = sim_table_render(r, objs, 1, "Object", "1", NULL, 0, NOW);
	assert_non_null(strstr(out, ",\"object\":"));
	assert_non_null(strstr(out, obj));
	free(out);
	out = sim_table_render(r, objs, 1, "None", "1", NULL, 0, NOW);
	assert_null(strstr(out, "\"object\""));
	assert_non_null(strstr(out, "\"rows\":[{\"cells\":[\"d\",\"0/1\",0,0,\"<unknown>\",\"\",\"\","
				    "\"<none>\"]}]}"));
	free(out);
}

/* A stored object's row is made once and kept with it; served later, its ages are
 * those of the later clock: the same bytes as the row made from the whole parsed
 * object then. */
static void test_kept_rows(void **state)
{
	static const int64_t later[] = {NOW, NOW + 61, NOW + 3 * 3600 + 7, NOW + 400 * 86400};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const sim_resource *r = sim_resource_find(fixtures[i].group, "v1", fixtures[i].plural);
		cJSON *t = fixture_tree(&fixtures[i]);
		char *compact = cJSON_PrintUnformatted(t), *pretty = cJSON_Print(t);
		sim_obj o = {.refs = 1, .res = r, .json = compact, .len = strlen(compact)};
		sim_obj *const objs[] = {&o};
		const char *texts[] = {pretty}; /* parsed whole, each time */
		void *kept = NULL;

		assert_non_null(r);
		for (size_t k = 0; k < ARRAY_SIZE(later); k++) {
			char *a = sim_table_render_objs(r, objs, 1, "Metadata", "42", NULL, 0, later[k]);
			char *b = sim_table_render(r, texts, 1, "Metadata", "42", NULL, 0, later[k]);

			if (strcmp(a, b))
				fail_msg("%s %s at +%lld s:\n kept: %s\n anew: %s", fixtures[i].plural,
					 fixtures[i].json, (long long)(later[k] - NOW), a, b);
			if (!k)
				kept = o.row;
			assert_ptr_equal(o.row, kept); /* made once */
			free(a);
			free(b);
		}
		/* parsed each time, nothing kept: compact text cJSON prints differently (1.5),
		 * and configmaps and secrets (their rows count every data member) */
		if (strstr(fixtures[i].json, "1.5") || !strcmp(fixtures[i].plural, "configmaps") ||
		    !strcmp(fixtures[i].plural, "secrets"))
			assert_null(o.row);
		else if (!o.row)
			fail_msg("no row kept for %s %s", fixtures[i].plural, fixtures[i].json);
		free(o.row);
		free(compact);
		free(pretty);
		cJSON_Delete(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_printer_same_bytes),
	    cmocka_unit_test(test_kept_rows),
	    cmocka_unit_test(test_page_rows_left_out),
	    cmocka_unit_test(test_picked_row_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
