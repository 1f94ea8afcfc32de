/* sim/tls.c — certificates for kubesim with GnuTLS's x509 API. */
#include <stdio.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "sim/tls.h"
#include "util/util.h"

#define DAY_S (24 * 60 * 60)

typedef struct pair {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
} pair;

static int gfail(char *errbuf, size_t errsize, const char *what, int rc)
{
	if (errbuf && errsize)
		snprintf(errbuf, errsize, "tls: %s: %s", what, gnutls_strerror(rc));
	return -1;
}

static void pair_release(pair *p)
{
	if (p->crt)
		gnutls_x509_crt_deinit(p->crt);
	if (p->key)
		gnutls_x509_privkey_deinit(p->key);
	p->crt = NULL;
	p->key = NULL;
}

static int datum_pem(const char *pem, gnutls_datum_t *d)
{
	if (!pem)
		return -1;
	d->data = (unsigned char *)(uintptr_t)pem;
	d->size = (unsigned)strlen(pem);
	return 0;
}

/* A fresh key and a certificate skeleton holding it: v3, random serial, validity,
 * subject CN (and O values), subject key id. */
static int pair_start(pair *p, const char *cn, const char *const *orgs, size_t n_orgs,
		      time_t not_before, time_t not_after, char *errbuf, size_t errsize)
{
	unsigned char serial[16], id[64];
	size_t id_size = sizeof(id);
	int rc;

	p->crt = NULL;
	p->key = NULL;
	if ((rc = gnutls_x509_privkey_init(&p->key)) < 0)
		return gfail(errbuf, errsize, "privkey init", rc);
	rc = gnutls_x509_privkey_generate(p->key, GNUTLS_PK_ECDSA,
					  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc < 0)
		return gfail(errbuf, errsize, "generate key", rc);
	if ((rc = gnutls_x509_crt_init(&p->crt)) < 0)
		return gfail(errbuf, errsize, "crt init", rc);
	if ((rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial))) < 0)
		return gfail(errbuf, errsize, "serial", rc);
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x10); /* positive, no leading zero */
	if ((rc = gnutls_x509_crt_set_version(p->crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(p->crt, serial, sizeof(serial))) < 0 ||
	    (rc = gnutls_x509_crt_set_key(p->crt, p->key)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(p->crt, not_before)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(p->crt, not_after)) < 0)
		return gfail(errbuf, errsize, "certificate fields", rc);
	rc = gnutls_x509_crt_set_dn_by_oid(p->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
					   (unsigned)strlen(cn));
	if (rc < 0)
		return gfail(errbuf, errsize, "subject CN", rc);
	for (size_t i = 0; i < n_orgs; i++) {
		rc = gnutls_x509_crt_set_dn_by_oid(p->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
						   orgs[i], (unsigned)strlen(orgs[i]));
		if (rc < 0)
			return gfail(errbuf, errsize, "subject O", rc);
	}
	if ((rc = gnutls_x509_crt_get_key_id(p->crt, GNUTLS_KEYID_USE_SHA1, id, &id_size)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_key_id(p->crt, id, id_size)) < 0)
		return gfail(errbuf, errsize, "subject key id", rc);
	return 0;
}

static int make_ca(pair *ca, const char *cn, time_t now, char *errbuf, size_t errsize)
{
	static const char *const org[] = {"kubesim"};
	int rc;

	if (pair_start(ca, cn, org, 1, now - 60 * DAY_S, now + 2 * 365 * DAY_S, errbuf, errsize) <
	    0)
		return -1;
	if ((rc = gnutls_x509_crt_set_basic_constraints(ca->crt, 1, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN |
							     GNUTLS_KEY_CRL_SIGN |
							     GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0)
		return gfail(errbuf, errsize, "CA extensions", rc);
	if ((rc = gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0)
		return gfail(errbuf, errsize, "self-sign CA", rc);
	return 0;
}

/* Leaf extensions (not a CA, digital signature, the given purpose) and the signature. */
static int sign_leaf(pair *leaf, const pair *issuer, const char *purpose, char *errbuf,
		     size_t errsize)
{
	unsigned char id[64];
	size_t id_size = sizeof(id);
	int rc;

	if ((rc = gnutls_x509_crt_set_basic_constraints(leaf->crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(leaf->crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(leaf->crt, purpose, 0)) < 0)
		return gfail(errbuf, errsize, "leaf extensions", rc);
	if ((rc = gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &id_size, NULL)) < 0 ||
	    (rc = gnutls_x509_crt_set_authority_key_id(leaf->crt, id, id_size)) < 0)
		return gfail(errbuf, errsize, "authority key id", rc);
	if ((rc = gnutls_x509_crt_sign2(leaf->crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256,
					0)) < 0)
		return gfail(errbuf, errsize, "sign", rc);
	return 0;
}

static int export_pair(const pair *p, char **cert_pem, char **key_pem, char *errbuf, size_t errsize)
{
	gnutls_datum_t c = {NULL, 0}, k = {NULL, 0};
	int rc;

	if ((rc = gnutls_x509_crt_export2(p->crt, GNUTLS_X509_FMT_PEM, &c)) < 0)
		return gfail(errbuf, errsize, "export certificate", rc);
	rc = gnutls_x509_privkey_export2_pkcs8(p->key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
					       &k);
	if (rc < 0) {
		gnutls_free(c.data);
		return gfail(errbuf, errsize, "export key", rc);
	}
	*cert_pem = xstrndup((const char *)c.data, c.size);
	*key_pem = xstrndup((const char *)k.data, k.size);
	gnutls_free(c.data);
	gnutls_memset(k.data, 0, k.size);
	gnutls_free(k.data);
	return 0;
}

static int add_san_ip(gnutls_x509_crt_t crt, const unsigned char *ip, unsigned len)
{
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, len,
						    GNUTLS_FSAN_APPEND);
}

static int add_san_dns(gnutls_x509_crt_t crt, const char *name)
{
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
						    (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
}

int sim_tls_generate(sim_tls *out, int mode, char *errbuf, size_t errsize)
{
	static const unsigned char ip4[4] = {127, 0, 0, 1};
	static const unsigned char ip6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	pair ca = {0}, other = {0}, srv = {0};
	const pair *issuer = &ca;
	time_t now = time(NULL), nb = now - 3600, na = now + 365 * DAY_S;
	const char *cn = mode == SIM_TLS_WRONG_HOST ? "wrong.example" : "kubesim";
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (mode < SIM_TLS_NORMAL || mode > SIM_TLS_UNTRUSTED) {
		snprintf(errbuf, errsize, "tls: unknown mode %d", mode);
		return -1;
	}
	if (make_ca(&ca, "kubesim-ca", now, errbuf, errsize) < 0)
		goto out;
	if (mode == SIM_TLS_UNTRUSTED) {
		if (make_ca(&other, "kubesim-untrusted-ca", now, errbuf, errsize) < 0)
			goto out;
		issuer = &other;
	}
	if (mode == SIM_TLS_EXPIRED) {
		nb = now - 30 * DAY_S;
		na = now - DAY_S;
	}
	if (pair_start(&srv, cn, NULL, 0, nb, na, errbuf, errsize) < 0)
		goto out;
	if (mode == SIM_TLS_WRONG_HOST) {
		rc = add_san_dns(srv.crt, "wrong.example");
	} else {
		if ((rc = add_san_dns(srv.crt, "localhost")) >= 0 &&
		    (rc = add_san_ip(srv.crt, ip4, sizeof(ip4))) >= 0)
			rc = add_san_ip(srv.crt, ip6, sizeof(ip6));
	}
	if (rc < 0) {
		gfail(errbuf, errsize, "subject alt names", rc);
		goto out;
	}
	if (sign_leaf(&srv, issuer, GNUTLS_KP_TLS_WWW_SERVER, errbuf, errsize) < 0)
		goto out;
	if (export_pair(&ca, &out->ca_cert_pem, &out->ca_key_pem, errbuf, errsize) < 0)
		goto out;
	if (export_pair(&srv, &out->cert_pem, &out->key_pem, errbuf, errsize) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		sim_tls_release(out);
	pair_release(&ca);
	pair_release(&other);
	pair_release(&srv);
	return ret;
}

/* The CA back from its PEMs. */
static int load_ca(const sim_tls *t, pair *ca, char *errbuf, size_t errsize)
{
	gnutls_datum_t c, k;
	int rc;

	ca->crt = NULL;
	ca->key = NULL;
	if (datum_pem(t->ca_cert_pem, &c) < 0 || datum_pem(t->ca_key_pem, &k) < 0) {
		snprintf(errbuf, errsize, "tls: no CA");
		return -1;
	}
	if ((rc = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (rc = gnutls_x509_crt_import(ca->crt, &c, GNUTLS_X509_FMT_PEM)) < 0)
		return gfail(errbuf, errsize, "CA certificate", rc);
	if ((rc = gnutls_x509_privkey_init(&ca->key)) < 0 ||
	    (rc = gnutls_x509_privkey_import2(ca->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		return gfail(errbuf, errsize, "CA key", rc);
	return 0;
}

int sim_tls_issue_client(const sim_tls *ca, const char *user, const char *const *groups,
			 size_t n_groups, int days, char **cert_pem, char **key_pem, char *errbuf,
			 size_t errsize)
{
	pair issuer = {0}, leaf = {0};
	time_t now = time(NULL), na = now + (time_t)days * DAY_S;
	time_t nb = days > 0 ? now - 3600 : na - 30 * DAY_S;
	int ret = -1;

	*cert_pem = NULL;
	*key_pem = NULL;
	if (!user || !*user) {
		snprintf(errbuf, errsize, "tls: client certificate needs a user name");
		return -1;
	}
	if (load_ca(ca, &issuer, errbuf, errsize) < 0)
		goto out;
	if (pair_start(&leaf, user, groups, n_groups, nb, na, errbuf, errsize) < 0)
		goto out;
	if (sign_leaf(&leaf, &issuer, GNUTLS_KP_TLS_WWW_CLIENT, errbuf, errsize) < 0)
		goto out;
	ret = export_pair(&leaf, cert_pem, key_pem, errbuf, errsize);
out:
	pair_release(&issuer);
	pair_release(&leaf);
	return ret;
}

void sim_tls_release(sim_tls *t)
{
	if (!t)
		return;
	free(t->ca_cert_pem);
	if (t->ca_key_pem) {
		memset(t->ca_key_pem, 0, strlen(t->ca_key_pem));
		free(t->ca_key_pem);
	}
	free(t->cert_pem);
	if (t->key_pem) {
		memset(t->key_pem, 0, strlen(t->key_pem));
		free(t->key_pem);
	}
	memset(t, 0, sizeof(*t));
}

/* One DN attribute by OID and index: 1 found, 0 absent, -1 error or too long. */
static int dn_value(gnutls_x509_crt_t crt, const char *oid, unsigned idx, char *buf, size_t size)
{
	size_t len = size;
	int rc = gnutls_x509_crt_get_dn_by_oid(crt, oid, idx, 0, buf, &len);

	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (rc < 0 || len >= size)
		return -1;
	buf[len] = '\0';
	return 1;
}

/* Verifies chain[0..n) against t's CA for client use and reads CN and O values. */
static int chain_identity(const sim_tls *t, gnutls_x509_crt_t *chain, unsigned n, char *user,
			  size_t user_size, char groups[][128], size_t max_groups, size_t *n_groups)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_datum_t ca;
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
					 (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
	unsigned status = 1;
	size_t ng = 0;
	int rc, ret = -1;

	if (n_groups)
		*n_groups = 0;
	if (user_size)
		user[0] = '\0';
	if (datum_pem(t->ca_cert_pem, &ca) < 0 || n == 0)
		return -1;
	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		return -1;
	if (gnutls_x509_trust_list_add_trust_mem(tl, &ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0) <= 0)
		goto out;
	rc = gnutls_x509_trust_list_verify_crt2(tl, chain, n, &purpose, 1, 0, &status, NULL);
	if (rc < 0 || status != 0)
		goto out;
	if (dn_value(chain[0], GNUTLS_OID_X520_COMMON_NAME, 0, user, user_size) != 1 || !user[0])
		goto out;
	for (unsigned i = 0;; i++) {
		char buf[128];
		int r = dn_value(chain[0], GNUTLS_OID_X520_ORGANIZATION_NAME, i, buf, sizeof(buf));

		if (r == 0)
			break;
		if (r < 0)
			goto out;
		if (ng < max_groups)
			util_strlcpy(groups[ng++], buf, 128);
	}
	if (n_groups)
		*n_groups = ng;
	ret = 1;
out:
	if (ret < 0) {
		if (user_size)
			user[0] = '\0';
		if (n_groups)
			*n_groups = 0;
	}
	gnutls_x509_trust_list_deinit(tl, 1);
	return ret;
}

int sim_tls_peer_identity(const sim_tls *t, void *gnutls_session, char *user, size_t user_size,
			  char groups[][128], size_t max_groups, size_t *n_groups)
{
	gnutls_session_t s = gnutls_session;
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t chain[16];
	unsigned n = 0, got = 0;
	int ret = -1;

	if (n_groups)
		*n_groups = 0;
	if (user_size)
		user[0] = '\0';
	if (!s || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
		return 0;
	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || n == 0)
		return 0;
	if (n > ARRAY_SIZE(chain))
		return -1;
	for (; got < n; got++) {
		if (gnutls_x509_crt_init(&chain[got]) < 0)
			goto out;
		if (gnutls_x509_crt_import(chain[got], &certs[got], GNUTLS_X509_FMT_DER) < 0) {
			got++;
			goto out;
		}
	}
	ret = chain_identity(t, chain, n, user, user_size, groups, max_groups, n_groups);
out:
	for (unsigned i = 0; i < got; i++)
		gnutls_x509_crt_deinit(chain[i]);
	return ret;
}

int sim_tls_cert_identity(const sim_tls *t, const char *pem, char *user, size_t user_size,
			  char groups[][128], size_t max_groups, size_t *n_groups)
{
	gnutls_x509_crt_t *list = NULL;
	gnutls_datum_t d;
	unsigned n = 0;
	int ret;

	if (n_groups)
		*n_groups = 0;
	if (user_size)
		user[0] = '\0';
	if (datum_pem(pem, &d) < 0 ||
	    gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0)
		return -1;
	ret = chain_identity(t, list, n, user, user_size, groups, max_groups, n_groups);
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	return ret;
}
