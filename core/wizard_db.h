/* core/wizard_db.h — the database wizard: a SMART ERP tenant environment's
 * PostgreSQL, on the platform's managed server (prod): the role and database
 * made with libpq (core/step_pg.h), the password only in Secret db-credentials,
 * dbaccess.ini's [POSTGRES/<alias>] pointed at it and DbAccess rolled. Its entry
 * in the table of wizards (core/wizard.h). The builder reads the catalogue, the
 * cluster and the server: not on the UI thread.
 */
#ifndef CORE_WIZARD_DB_H
#define CORE_WIZARD_DB_H

#include "core/wizard.h"

extern const wizard wizard_database;

/* The pod-template annotation that rolls DbAccess when dbaccess.ini changes
 * (with the label prefix: smart.totvs.com/dbaccess-config). */
#define WIZARD_DB_ROLL_ANNOTATION "dbaccess-config"

#endif
