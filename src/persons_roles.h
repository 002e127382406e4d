/*
 * persons_roles.h
 *		Whether a write of persons changes the role any of them gets.
 */
#ifndef BUYING_GROUP_PERSONS_ROLES_H
#define BUYING_GROUP_PERSONS_ROLES_H

#include "postgres.h"

#include "utils/relcache.h"
#include "utils/tuplestore.h"

extern bool persons_insert_gets_no_role(Relation rel, Tuplestorestate *new_rows);
extern bool persons_update_keeps_roles(Relation rel, Tuplestorestate *old_rows, Tuplestorestate *new_rows);

#endif							/* BUYING_GROUP_PERSONS_ROLES_H */
