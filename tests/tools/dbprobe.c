/* dbprobe — drives the PostgreSQL layer (core/db_*) from the integration tests
 * and prints what it did, one line per step. Never prints a password.
 *
 *   dbprobe --conninfo C [--password-file F] [--pause-after STEP --pause-file P]
 *           [--conn-limit N] [--encoding E] [--collate L] COMMAND ...
 *   apply TCODE ENV [--secret-out F]   lock, preflight, role, database, access; a made role's
 *                                      password goes to F (mode 600), as into the Secret
 *   undo TCODE ENV [--confirm]         database (guarded), then role
 *   verify TCODE ENV                   differences from the spec, one per line
 *   plan TCODE ENV                     the statements of each step, as a plan shows them
 *                                      (needs no server)
 *   rotate TCODE ENV --secret-out F    a new password for the role
 *   hold-lock TCODE                    takes the tenant's lock, holds it until P exists
 *   state HOST PORT DB USER --secret F [--admin]   the live check as the tenant
 *
 * --password-file is the admin's password when libpq finds none (as Secret
 * smart-platform-postgres). --pause-after lock|role|database stops after that
 * step, prints "paused after STEP (backend PID)" and waits for P to exist.
 * Exit codes: 0 ok, 1 error, 2 usage, 3 unreachable, 4 conflict, 5 refused, 6 busy. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/db_access.h"
#include "core/db_database.h"
#include "core/db_lock.h"
#include "core/db_password.h"
#include "core/db_plan.h"
#include "core/db_role.h"
#include "core/db_spec.h"
#include "core/db_state.h"
#include "core/db_tenant.h"
#include "core/pg_conn.h"
#include "util/util.h"

static const char *opt_pause_after, *opt_pause_file, *opt_secret_out, *opt_secret;
static int opt_confirm, opt_admin;

static int code(db_status st)
{
	switch (st) {
	case DB_OK: return 0;
	case DB_UNREACHABLE: return 3;
	case DB_CONFLICT: return 4;
	case DB_REFUSED: return 5;
	case DB_BUSY: return 6;
	default: return 1;
	}
}

static int failed(const db_err *err)
{
	printf("error (%s): %s\n", db_status_name(err->status), err->msg);
	return code(err->status);
}

static void pause_point(PGconn *c, const char *step)
{
	int i;

	if (!opt_pause_after || strcmp(opt_pause_after, step))
		return;
	printf("paused after %s (backend %d)\n", step, PQbackendPID(c));
	fflush(stdout);
	for (i = 0; i < 1200 && access(opt_pause_file, F_OK); i++)
		usleep(50 * 1000);
}

/* Reads the first line of path into buf; 0 or -1. */
static int read_secret(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, (int)size, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_secret(const char *path, const char *pw)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n = strlen(pw);

	if (fd < 0 || write(fd, pw, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return close(fd);
}

static int apply(PGconn *c, const db_spec *s)
{
	char pw[DB_PASSWORD_SIZE];
	db_tenant_obs obs;
	db_err err;
	int made, changed, ret;

	if (db_lock_tenant(c, s->tcode, &err) != DB_OK)
		return failed(&err);
	printf("lock %s: taken\n", s->tcode);
	if (db_tenant_preflight(c, s, &obs, &err) != DB_OK)
		return failed(&err);
	pause_point(c, "lock");
	if (db_role_apply(c, s, pw, &made, &err) != DB_OK)
		return failed(&err);
	printf("role %s: %s\n", s->name, made ? "created" : "unchanged");
	if (made) {
		ret = opt_secret_out ? write_secret(opt_secret_out, pw) : 0;
		db_password_wipe(pw, sizeof(pw));
		if (ret)
			return printf("error: cannot write %s\n", opt_secret_out), 1;
	}
	pause_point(c, "role");
	if (db_database_apply(c, s, &made, &err) != DB_OK)
		return failed(&err);
	printf("database %s: %s\n", s->name, made ? "created" : "unchanged");
	pause_point(c, "database");
	if (db_access_apply(c, s, &changed, &err) != DB_OK)
		return failed(&err);
	printf("access %s: %s\n", s->name, changed ? "granted" : "unchanged");
	return 0;
}

static int undo(PGconn *c, const pg_conn_opts *admin, const db_spec *s)
{
	db_err err;
	int dropped;

	if (db_lock_tenant(c, s->tcode, &err) != DB_OK)
		return failed(&err);
	if (db_database_undo(c, admin, s, opt_confirm, &dropped, &err) != DB_OK)
		return failed(&err);
	printf("database %s: %s\n", s->name, dropped ? "dropped" : "absent");
	if (db_role_undo(c, s, &dropped, &err) != DB_OK)
		return failed(&err);
	printf("role %s: %s\n", s->name, dropped ? "dropped" : "absent");
	return 0;
}

static int verify(PGconn *c, const db_spec *s)
{
	strbuf p;
	db_err err;
	db_status a, b, d;

	sb_init(&p, 256);
	a = db_role_verify(c, s, &p, &err);
	b = db_database_verify(c, s, &p, &err);
	d = db_access_verify(c, s, &p, &err);
	fputs(p.buf, stdout);
	sb_release(&p);
	if (a == DB_OK && b == DB_OK && d == DB_OK) {
		printf("verified %s\n", s->name);
		return 0;
	}
	return (a == DB_UNREACHABLE || b == DB_UNREACHABLE || d == DB_UNREACHABLE) ? 3 : 5;
}

static int rotate(PGconn *c, const db_spec *s)
{
	char pw[DB_PASSWORD_SIZE];
	db_err err;
	int ret;

	if (!opt_secret_out)
		return fputs("dbprobe: rotate needs --secret-out\n", stderr), 2;
	if (db_lock_tenant(c, s->tcode, &err) != DB_OK)
		return failed(&err);
	if (db_role_rotate(c, s, pw, &err) != DB_OK)
		return failed(&err);
	ret = write_secret(opt_secret_out, pw);
	db_password_wipe(pw, sizeof(pw));
	printf("role %s: new password\n", s->name);
	return ret ? 1 : 0;
}

static int state(char **argv, const pg_conn_opts *admin)
{
	char pw[256] = "";
	db_creds t = {.host = argv[0], .port = argv[1], .database = argv[2], .user = argv[3], .password = pw,
		      .sslmode = "disable"};
	db_state_result r;

	if (opt_secret && read_secret(opt_secret, pw, sizeof(pw)))
		return fprintf(stderr, "dbprobe: cannot read %s\n", opt_secret), 2;
	db_state_check(&t, opt_admin ? admin : NULL, 5, &r);
	db_password_wipe(pw, sizeof(pw));
	printf("state: %s\ndetail: %s\n", db_state_name(r.state), r.detail);
	return r.state == DB_STATE_READY ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"conninfo", required_argument, NULL, 'c'},	  {"password-file", required_argument, NULL, 'p'},
	    {"pause-after", required_argument, NULL, 'a'}, {"pause-file", required_argument, NULL, 'f'},
	    {"conn-limit", required_argument, NULL, 'l'}, {"encoding", required_argument, NULL, 'e'},
	    {"collate", required_argument, NULL, 'L'},	  {"secret-out", required_argument, NULL, 'o'},
	    {"secret", required_argument, NULL, 's'},	  {"confirm", no_argument, NULL, 'C'},
	    {"admin", no_argument, NULL, 'A'},		  {NULL, 0, NULL, 0},
	};
	const char *conninfo = "", *pwfile = NULL, *encoding = NULL, *collate = NULL, *cmd;
	char adminpw[256] = "";
	pg_conn_opts o = {0};
	int ch, limit = 0, ret;
	tcode_env env;
	db_spec s;
	db_err err;
	PGconn *c;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conninfo = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'a': opt_pause_after = optarg; break;
		case 'f': opt_pause_file = optarg; break;
		case 'l': limit = atoi(optarg); break;
		case 'e': encoding = optarg; break;
		case 'L': collate = optarg; break;
		case 'o': opt_secret_out = optarg; break;
		case 's': opt_secret = optarg; break;
		case 'C': opt_confirm = 1; break;
		case 'A': opt_admin = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc || (opt_pause_after && !opt_pause_file))
		return fputs("usage: dbprobe --conninfo C COMMAND ... (see the source)\n", stderr), 2;
	if (pwfile && read_secret(pwfile, adminpw, sizeof(adminpw)))
		return fprintf(stderr, "dbprobe: cannot read %s\n", pwfile), 2;
	o.conninfo = conninfo;
	o.password = *adminpw ? adminpw : NULL;
	cmd = argv[optind++];
	if (!strcmp(cmd, "state")) {
		if (argc - optind != 4)
			return fputs("usage: dbprobe state HOST PORT DB USER --secret F\n", stderr), 2;
		ret = state(argv + optind, &o);
		goto out;
	}
	if (argc - optind < 1)
		return fputs("dbprobe: which TCODE?\n", stderr), 2;
	if (strcmp(cmd, "hold-lock")) {
		if (argc - optind != 2 || tcode_env_parse(argv[optind + 1], &env))
			return fputs("dbprobe: COMMAND TCODE prod|dev\n", stderr), 2;
		if (db_spec_init(&s, argv[optind], env, &err) != DB_OK)
			return failed(&err);
		if (limit)
			s.conn_limit = limit;
		if (encoding)
			util_strlcpy(s.encoding, encoding, sizeof(s.encoding));
		if (collate) {
			util_strlcpy(s.collate, collate, sizeof(s.collate));
			util_strlcpy(s.ctype, collate, sizeof(s.ctype));
		}
		if (db_spec_check(&s, &err) != DB_OK) {
			ret = failed(&err);
			goto out;
		}
	}
	if (!strcmp(cmd, "plan")) {
		strbuf sb;

		sb_init(&sb, 512);
		for (int st = 0; st < DB_STEP_COUNT; st++) {
			sb_addf(&sb, "-- %s\n", db_step_name((db_step)st));
			if (db_plan_step(&s, (db_step)st, &sb, &err) != DB_OK)
				break;
		}
		fputs(sb.buf, stdout);
		sb_release(&sb);
		ret = 0;
		goto out;
	}
	if (!(c = pg_conn_open(&o, &err))) {
		ret = failed(&err);
		goto out;
	}
	if (!strcmp(cmd, "apply"))
		ret = apply(c, &s);
	else if (!strcmp(cmd, "undo"))
		ret = undo(c, &o, &s);
	else if (!strcmp(cmd, "verify"))
		ret = verify(c, &s);
	else if (!strcmp(cmd, "rotate"))
		ret = rotate(c, &s);
	else if (!strcmp(cmd, "hold-lock")) {
		ret = db_lock_tenant(c, argv[optind], &err) != DB_OK ? failed(&err) : 0;
		if (!ret) {
			opt_pause_after = "lock";
			pause_point(c, "lock");
		}
	} else {
		fprintf(stderr, "dbprobe: unknown command %s\n", cmd);
		ret = 2;
	}
	PQfinish(c);
out:
	db_password_wipe(adminpw, sizeof(adminpw));
	return ret;
}
