/*
 * account_locks.h
 *		The writers of buying groups, serialised by account.
 */
#ifndef BUYING_GROUP_ACCOUNT_LOCKS_H
#define BUYING_GROUP_ACCOUNT_LOCKS_H

#include "postgres.h"

#include "utils/array.h"

extern void lock_accounts(ArrayType *accounts);

#endif							/* BUYING_GROUP_ACCOUNT_LOCKS_H */
