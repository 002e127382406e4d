/*
 * persons_columns.h
 *		The columns of the persons table the buying groups read.
 */
#ifndef BUYING_GROUP_PERSONS_COLUMNS_H
#define BUYING_GROUP_PERSONS_COLUMNS_H

#include "postgres.h"

#include "nodes/bitmapset.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

extern Bitmapset *persons_read_columns(Relation rel, AttrNumber key_att, AttrNumber account_att);
extern bool persons_update_pairs_all(Tuplestorestate *old_rows, Tuplestorestate *new_rows, TupleDesc desc,
									 bool (*same) (TupleTableSlot *old_row, TupleTableSlot *new_row, void *arg),
									 void *arg);
extern bool persons_update_unchanged(Tuplestorestate *old_rows, Tuplestorestate *new_rows, TupleDesc desc,
									 Bitmapset *cols);

#endif							/* BUYING_GROUP_PERSONS_COLUMNS_H */
