/*
 * role_counts.h
 *		The role counts a buying group keeps on its row (role_counts.c).
 */
#ifndef BUYING_GROUP_ROLE_COUNTS_H
#define BUYING_GROUP_ROLE_COUNTS_H

#include "postgres.h"

#include "utils/array.h"

extern int	int4_elements(ArrayType *arr, const char *what, bool nulls_ok, Datum **values, bool **nulls);

#endif							/* BUYING_GROUP_ROLE_COUNTS_H */
