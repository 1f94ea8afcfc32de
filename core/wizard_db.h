/* core/wizard_db.h — the database wizard, its entry in the table of wizards
 * (core/wizard.h), in three shapes chosen from the tenant and its namespace:
 *   ERP prod   PostgreSQL on the platform's managed server: the role and
 *              database made with libpq (core/step_pg.h), the password only in
 *              Secret db-credentials
 *   ERP dev    PostgreSQL as a container (core/db_container.h)
 *   eSocial    Oracle handed off to the DBA (core/oracle_handoff.h)
 * then dbaccess.ini pointed at it and DbAccess rolled (core/step_roll.h). The
 * builder reads the catalogue and the cluster: not on the UI thread.
 */
#ifndef CORE_WIZARD_DB_H
#define CORE_WIZARD_DB_H

#include "core/wizard.h"

extern const wizard wizard_database;

/* The pod-template annotation that rolls DbAccess when dbaccess.ini changes
 * (with the label prefix: smart.totvs.com/dbaccess-config). */
#define WIZARD_DB_ROLL_ANNOTATION "dbaccess-config"

#endif
