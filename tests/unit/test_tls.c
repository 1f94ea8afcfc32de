/* Unit tests for sim/tls: generated certificates verify (or fail) as each mode says,
 * client certificates carry CN/O, and a live libmicrohttpd server reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "sim/tls.h"
#include "util/util.h"

static gnutls_x509_crt_t load_crt(const char *pem)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	return crt;
}

/* Verification status of cert_pem against ca_pem (0 = trusted). */
static unsigned verify_status(const char *ca_pem, const char *cert_pem)
{
	gnutls_x509_trust_list_t tl;
	gnutls_datum_t ca = {(unsigned char *)(uintptr_t)ca_pem, (unsigned)strlen(ca_pem)};
	gnutls_x509_crt_t crt = load_crt(cert_pem);
	unsigned status = 0;

	assert_int_equal(gnutls_x509_trust_list_init(&tl, 0), 0);
	assert_int_equal(
	    gnutls_x509_trust_list_add_trust_mem(tl, &ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0), 1);
	assert_int_equal(gnutls_x509_trust_list_verify_crt(tl, &crt, 1, 0, &status, NULL), 0);
	gnutls_x509_trust_list_deinit(tl, 1);
	gnutls_x509_crt_deinit(crt);
	return status;
}

static int host_ok(const char *cert_pem, const char *host)
{
	gnutls_x509_crt_t crt = load_crt(cert_pem);
	int ok = gnutls_x509_crt_check_hostname(crt, host) != 0;

	gnutls_x509_crt_deinit(crt);
	return ok;
}

static void test_normal(void **state)
{
	sim_tls t;
	char err[256];

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_NORMAL, err, sizeof(err)), 0);
	assert_non_null(strstr(t.ca_cert_pem, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(t.key_pem, "PRIVATE KEY"));
	assert_int_equal(verify_status(t.ca_cert_pem, t.cert_pem), 0);
	assert_true(host_ok(t.cert_pem, "127.0.0.1"));
	assert_true(host_ok(t.cert_pem, "::1"));
	assert_true(host_ok(t.cert_pem, "localhost"));
	assert_false(host_ok(t.cert_pem, "wrong.example"));
	assert_false(host_ok(t.cert_pem, "127.0.0.2"));
	/* the CA is a CA, the server certificate is not */
	gnutls_x509_crt_t ca = load_crt(t.ca_cert_pem), srv = load_crt(t.cert_pem);
	unsigned crit;
	assert_int_equal(gnutls_x509_crt_get_ca_status(ca, &crit), 1);
	assert_int_equal(gnutls_x509_crt_get_ca_status(srv, &crit), 0);
	assert_true(gnutls_x509_crt_get_expiration_time(srv) > time(NULL) + 360 * 86400);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(srv);
	sim_tls_release(&t);
	assert_null(t.cert_pem);
	sim_tls_release(&t); /* twice is harmless */
}

static void test_expired(void **state)
{
	sim_tls t;
	char err[256];

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_EXPIRED, err, sizeof(err)), 0);
	unsigned st = verify_status(t.ca_cert_pem, t.cert_pem);
	assert_true(st & GNUTLS_CERT_INVALID);
	assert_true(st & GNUTLS_CERT_EXPIRED);
	assert_false(st & GNUTLS_CERT_SIGNER_NOT_FOUND);
	assert_true(host_ok(t.cert_pem, "127.0.0.1"));
	gnutls_x509_crt_t srv = load_crt(t.cert_pem);
	time_t exp = gnutls_x509_crt_get_expiration_time(srv);
	assert_true(exp < time(NULL) && exp > time(NULL) - 2 * 86400);
	gnutls_x509_crt_deinit(srv);
	sim_tls_release(&t);
}

static void test_wrong_host(void **state)
{
	sim_tls t;
	char err[256];

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_WRONG_HOST, err, sizeof(err)), 0);
	assert_int_equal(verify_status(t.ca_cert_pem, t.cert_pem), 0);
	assert_false(host_ok(t.cert_pem, "127.0.0.1"));
	assert_false(host_ok(t.cert_pem, "localhost"));
	assert_true(host_ok(t.cert_pem, "wrong.example"));
	sim_tls_release(&t);
}

static void test_untrusted(void **state)
{
	sim_tls t;
	char err[256];

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_UNTRUSTED, err, sizeof(err)), 0);
	unsigned st = verify_status(t.ca_cert_pem, t.cert_pem);
	assert_true(st & GNUTLS_CERT_INVALID);
	assert_true(st & GNUTLS_CERT_SIGNER_NOT_FOUND);
	assert_true(host_ok(t.cert_pem, "127.0.0.1"));
	sim_tls_release(&t);
	assert_int_equal(sim_tls_generate(&t, 42, err, sizeof(err)), -1);
	assert_null(t.ca_cert_pem);
	assert_non_null(strstr(err, "mode"));
	sim_tls_release(&t);
}

static void test_client_cert(void **state)
{
	static const char *const groups[] = {"smartops:support", "team-a"};
	sim_tls t, other;
	char err[256], user[128], g[4][128], *cert, *key;
	size_t ng = 99;

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_NORMAL, err, sizeof(err)), 0);
	assert_int_equal(sim_tls_generate(&other, SIM_TLS_NORMAL, err, sizeof(err)), 0);
	assert_int_equal(
	    sim_tls_issue_client(&t, "alice", groups, 2, 30, &cert, &key, err, sizeof(err)), 0);
	assert_int_equal(verify_status(t.ca_cert_pem, cert), 0);
	assert_int_equal(sim_tls_cert_identity(&t, cert, user, sizeof(user), g, 4, &ng), 1);
	assert_string_equal(user, "alice");
	assert_int_equal(ng, 2);
	assert_string_equal(g[0], "smartops:support");
	assert_string_equal(g[1], "team-a");
	/* max_groups bounds what is copied */
	assert_int_equal(sim_tls_cert_identity(&t, cert, user, sizeof(user), g, 1, &ng), 1);
	assert_int_equal(ng, 1);
	/* another CA does not trust it */
	assert_int_equal(sim_tls_cert_identity(&other, cert, user, sizeof(user), g, 4, &ng), -1);
	assert_int_equal(ng, 0);
	assert_string_equal(user, "");
	free(cert);
	free(key);

	/* expired */
	assert_int_equal(
	    sim_tls_issue_client(&t, "bob", NULL, 0, -1, &cert, &key, err, sizeof(err)), 0);
	assert_true(verify_status(t.ca_cert_pem, cert) & GNUTLS_CERT_EXPIRED);
	assert_int_equal(sim_tls_cert_identity(&t, cert, user, sizeof(user), g, 4, &ng), -1);
	free(cert);
	free(key);

	/* no groups */
	assert_int_equal(
	    sim_tls_issue_client(&t, "carol", NULL, 0, 1, &cert, &key, err, sizeof(err)), 0);
	assert_int_equal(sim_tls_cert_identity(&t, cert, user, sizeof(user), g, 4, &ng), 1);
	assert_string_equal(user, "carol");
	assert_int_equal(ng, 0);
	free(cert);
	free(key);

	/* a server certificate is not for client authentication */
	assert_int_equal(sim_tls_cert_identity(&t, t.cert_pem, user, sizeof(user), g, 4, &ng), -1);
	assert_int_equal(sim_tls_issue_client(&t, "", NULL, 0, 1, &cert, &key, err, sizeof(err)),
			 -1);
	assert_null(cert);
	sim_tls_release(&t);
	sim_tls_release(&other);
}

/* --- end to end: libmicrohttpd asks for a client certificate, libcurl sends one --- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	const sim_tls *t = cls;
	const union MHD_ConnectionInfo *ci;
	char user[128], groups[8][128], text[1400];
	size_t ng = 0;
	int rc;

	(void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	rc = sim_tls_peer_identity(t, ci ? ci->tls_session : NULL, user, sizeof(user), groups, 8,
				   &ng);
	if (rc == 1) {
		strbuf sb;
		sb_init(&sb, 64);
		sb_addf(&sb, "user=%s", user);
		for (size_t i = 0; i < ng; i++)
			sb_addf(&sb, "%sgroup=%s", i ? "," : " ", groups[i]);
		util_strlcpy(text, sb.buf, sizeof(text));
		sb_release(&sb);
	} else {
		snprintf(text, sizeof(text), rc == 0 ? "none" : "refused");
	}
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result r = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return r;
}

static struct MHD_Daemon *start_server(const sim_tls *t, int *port)
{
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, answer,
	    (void *)(uintptr_t)t, MHD_OPTION_HTTPS_MEM_CERT, t->cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
	    t->key_pem, MHD_OPTION_HTTPS_MEM_TRUST, t->ca_cert_pem, MHD_OPTION_END);
	assert_non_null(d);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(di);
	*port = di->port;
	assert_true(*port > 0);
	return d;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
	sb_add(userdata, data, size * nmemb);
	return size * nmemb;
}

/* GET https://host:port/ trusting ca_pem, presenting cert/key when given.
 * Returns the curl code; the body goes to sb. */
static CURLcode fetch(const char *host, int port, const char *ca_pem, const char *cert,
		      const char *key, strbuf *sb)
{
	CURL *c = curl_easy_init();
	char url[128];
	struct curl_blob ca = {(void *)(uintptr_t)ca_pem, strlen(ca_pem), CURL_BLOB_COPY};
	struct curl_blob cb, kb;

	assert_non_null(c);
	snprintf(url, sizeof(url), "https://%s:%d/", host, port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sb);
	if (cert) {
		cb = (struct curl_blob){(void *)(uintptr_t)cert, strlen(cert), CURL_BLOB_COPY};
		kb = (struct curl_blob){(void *)(uintptr_t)key, strlen(key), CURL_BLOB_COPY};
		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
	}
	sb_reset(sb);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return rc;
}

static void test_peer_identity_live(void **state)
{
	static const char *const groups[] = {"system:masters", "ops"};
	sim_tls t, other;
	char err[256], *cert, *key, *bad_cert, *bad_key, *old_cert, *old_key;
	strbuf sb;
	int port;

	(void)state;
	assert_int_equal(sim_tls_generate(&t, SIM_TLS_NORMAL, err, sizeof(err)), 0);
	assert_int_equal(sim_tls_generate(&other, SIM_TLS_NORMAL, err, sizeof(err)), 0);
	assert_int_equal(
	    sim_tls_issue_client(&t, "dave", groups, 2, 1, &cert, &key, err, sizeof(err)), 0);
	assert_int_equal(sim_tls_issue_client(&other, "mallory", groups, 2, 1, &bad_cert, &bad_key,
					      err, sizeof(err)),
			 0);
	assert_int_equal(
	    sim_tls_issue_client(&t, "old", NULL, 0, -2, &old_cert, &old_key, err, sizeof(err)), 0);
	struct MHD_Daemon *d = start_server(&t, &port);
	sb_init(&sb, 64);

	assert_int_equal(fetch("127.0.0.1", port, t.ca_cert_pem, NULL, NULL, &sb), CURLE_OK);
	assert_string_equal(sb.buf, "none");
	assert_int_equal(fetch("127.0.0.1", port, t.ca_cert_pem, cert, key, &sb), CURLE_OK);
	assert_string_equal(sb.buf, "user=dave group=system:masters,group=ops");
	assert_int_equal(fetch("localhost", port, t.ca_cert_pem, cert, key, &sb), CURLE_OK);
	assert_string_equal(sb.buf, "user=dave group=system:masters,group=ops");
	assert_int_equal(fetch("127.0.0.1", port, t.ca_cert_pem, bad_cert, bad_key, &sb), CURLE_OK);
	assert_string_equal(sb.buf, "refused");
	assert_int_equal(fetch("127.0.0.1", port, t.ca_cert_pem, old_cert, old_key, &sb), CURLE_OK);
	assert_string_equal(sb.buf, "refused");
	/* a client trusting another CA refuses this server */
	assert_int_not_equal(fetch("127.0.0.1", port, other.ca_cert_pem, NULL, NULL, &sb),
			     CURLE_OK);

	MHD_stop_daemon(d);
	sb_release(&sb);
	free(cert), free(key), free(bad_cert), free(bad_key), free(old_cert), free(old_key);
	sim_tls_release(&t);
	sim_tls_release(&other);
}

/* Each broken mode makes a verifying client (libcurl, like kubectl) refuse the server. */
static void test_modes_live(void **state)
{
	static const int modes[] = {SIM_TLS_EXPIRED, SIM_TLS_WRONG_HOST, SIM_TLS_UNTRUSTED};
	strbuf sb;

	(void)state;
	sb_init(&sb, 64);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		sim_tls t;
		char err[256];
		int port;

		assert_int_equal(sim_tls_generate(&t, modes[i], err, sizeof(err)), 0);
		struct MHD_Daemon *d = start_server(&t, &port);
		CURLcode rc = fetch("127.0.0.1", port, t.ca_cert_pem, NULL, NULL, &sb);
		assert_int_equal(rc, CURLE_PEER_FAILED_VERIFICATION);
		MHD_stop_daemon(d);
		sim_tls_release(&t);
	}
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normal),	cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_wrong_host),	cmocka_unit_test(test_untrusted),
	    cmocka_unit_test(test_client_cert), cmocka_unit_test(test_peer_identity_live),
	    cmocka_unit_test(test_modes_live),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
