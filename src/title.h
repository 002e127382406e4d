/*
 * title.h
 *		Fuzzy job-title matching (the title_like operator).
 */
#ifndef BUYING_GROUP_TITLE_H
#define BUYING_GROUP_TITLE_H

#include "postgres.h"

/* A normalised title and the sorted, distinct trigram hashes of its words. */
typedef struct TitleKey
{
	char	   *normalized;
	int			ntrigrams;
	uint32	   *trigrams;
} TitleKey;

extern char *title_normalize(const char *s, int len);
extern TitleKey *title_key_make(const char *s, int len);
extern double title_key_similarity(const TitleKey *a, const TitleKey *b);

#endif							/* BUYING_GROUP_TITLE_H */
