/*
 * title.c
 *		Normalisation and similarity of job titles, for title_like.
 *
 * Both sides are lower-cased, split into words at anything that is not a
 * letter or a digit, common abbreviations are expanded ("sr" -> "senior",
 * "vp" -> "vice president") and filler words dropped ("of", "the").
 * Similarity is the Jaccard index of the two titles' sets of word trigrams
 * (each word padded with two blanks in front and one behind), so word order,
 * a missing word or a typo lower the score gradually.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "rule.h"
#include "title.h"

typedef struct Abbreviation
{
	const char *word;
	const char *expansion;		/* NULL: a filler word, dropped */
} Abbreviation;

/* Sorted by word, searched with bsearch. */
static const Abbreviation abbreviations[] = {
	{"a", NULL},
	{"acct", "account"},
	{"admin", "administrator"},
	{"an", NULL},
	{"and", NULL},
	{"assoc", "associate"},
	{"asst", "assistant"},
	{"at", NULL},
	{"avp", "assistant vice president"},
	{"cdo", "chief data officer"},
	{"ceo", "chief executive officer"},
	{"cfo", "chief financial officer"},
	{"cio", "chief information officer"},
	{"ciso", "chief information security officer"},
	{"cmo", "chief marketing officer"},
	{"coo", "chief operating officer"},
	{"cpo", "chief product officer"},
	{"cro", "chief revenue officer"},
	{"cso", "chief security officer"},
	{"cto", "chief technology officer"},
	{"dev", "development"},
	{"dir", "director"},
	{"eng", "engineering"},
	{"engg", "engineering"},
	{"evp", "executive vice president"},
	{"exec", "executive"},
	{"for", NULL},
	{"gm", "general manager"},
	{"hr", "human resources"},
	{"in", NULL},
	{"infra", "infrastructure"},
	{"intl", "international"},
	{"it", "information technology"},
	{"jr", "junior"},
	{"md", "managing director"},
	{"mgmt", "management"},
	{"mgr", "manager"},
	{"mkt", "marketing"},
	{"mktg", "marketing"},
	{"mngr", "manager"},
	{"of", NULL},
	{"ops", "operations"},
	{"pres", "president"},
	{"snr", "senior"},
	{"sr", "senior"},
	{"svcs", "services"},
	{"svp", "senior vice president"},
	{"sys", "systems"},
	{"tech", "technology"},
	{"the", NULL},
	{"to", NULL},
	{"vp", "vice president"},
};

/* bsearch comparator: a NUL-terminated word against an Abbreviation. */
static int
abbreviation_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, ((const Abbreviation *) elem)->word);
}

/* Is the byte part of a word? Non-ASCII bytes are taken as letters. */
static inline bool
is_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * Returns the normalised form of the title s: folded, punctuation removed,
 * abbreviations expanded, filler words dropped, words joined by one blank.
 */
char *
title_normalize(const char *s, int len)
{
	int			flen;
	char	   *folded = text_fold(s, len, &flen);
	StringInfoData out;
	int			i = 0;

	initStringInfo(&out);
	while (i < flen)
	{
		int			start;
		char		word[16];
		const Abbreviation *abbr = NULL;

		while (i < flen && !is_word_byte((unsigned char) folded[i]))
			i++;
		if (i >= flen)
			break;
		start = i;
		while (i < flen && is_word_byte((unsigned char) folded[i]))
			i++;

		if (i - start < (int) sizeof(word))
		{
			memcpy(word, folded + start, i - start);
			word[i - start] = '\0';
			abbr = bsearch(word, abbreviations, lengthof(abbreviations),
						   sizeof(Abbreviation), abbreviation_cmp);
		}
		if (abbr != NULL && abbr->expansion == NULL)
			continue;
		if (out.len > 0)
			appendStringInfoChar(&out, ' ');
		if (abbr != NULL)
			appendStringInfoString(&out, abbr->expansion);
		else
			appendBinaryStringInfo(&out, folded + start, i - start);
	}
	pfree(folded);
	return out.data;
}

/* FNV-1a hash of a trigram's bytes. */
static uint32
trigram_hash(const char *s, int len)
{
	uint32		h = 2166136261u;
	int			i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 16777619u;
	}
	return h;
}

/* qsort comparator of uint32. */
static int
uint32_cmp(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return (x > y) - (x < y);
}

/*
 * Appends the trigrams of one word (padded "  word ") to tri. Works on
 * characters, so a multibyte letter counts as one.
 */
static int
word_trigrams(const char *word, int len, uint32 *tri)
{
	const char *chars[3];
	int			lens[3];
	int			n = 0;
	int			pos = 0;
	int			k;
	static const char blank[] = " ";

	/* a sliding window of the last three characters */
	chars[0] = chars[1] = blank;
	lens[0] = lens[1] = 1;
	while (pos <= len)
	{
		char		buf[3 * MAX_MULTIBYTE_CHAR_LEN];
		int			blen = 0;
		int			clen;

		if (pos < len)
		{
			clen = pg_mblen(word + pos);
			if (clen > len - pos)
				clen = len - pos;
			chars[2] = word + pos;
			lens[2] = clen;
		}
		else
		{
			clen = 1;
			chars[2] = blank;
			lens[2] = 1;
		}
		for (k = 0; k < 3; k++)
		{
			memcpy(buf + blen, chars[k], lens[k]);
			blen += lens[k];
		}
		tri[n++] = trigram_hash(buf, blen);
		chars[0] = chars[1];
		lens[0] = lens[1];
		chars[1] = chars[2];
		lens[1] = lens[2];
		pos += clen;
	}
	return n;
}

/* Builds the TitleKey of a raw title, palloc'd in the current context. */
TitleKey *
title_key_make(const char *s, int len)
{
	TitleKey   *key = palloc(sizeof(TitleKey));
	char	   *norm = title_normalize(s, len);
	int			nlen = (int) strlen(norm);
	int			i = 0;
	int			n = 0;

	key->normalized = norm;
	/* a word of c characters gives c + 1 trigrams; nlen + 1 bounds the total */
	key->trigrams = palloc((nlen + 1) * sizeof(uint32));
	while (i < nlen)
	{
		int			start = i;

		while (i < nlen && norm[i] != ' ')
			i++;
		n += word_trigrams(norm + start, i - start, key->trigrams + n);
		i++;
	}
	if (n > 1)
	{
		int			j;
		int			m = 1;

		qsort(key->trigrams, n, sizeof(uint32), uint32_cmp);
		for (j = 1; j < n; j++)
			if (key->trigrams[j] != key->trigrams[m - 1])
				key->trigrams[m++] = key->trigrams[j];
		n = m;
	}
	key->ntrigrams = n;
	return key;
}

/* Jaccard similarity of two titles' trigram sets, in [0, 1]. */
double
title_key_similarity(const TitleKey *a, const TitleKey *b)
{
	int			i = 0;
	int			j = 0;
	int			shared = 0;

	if (a->ntrigrams == 0 || b->ntrigrams == 0)
		return 0.0;
	while (i < a->ntrigrams && j < b->ntrigrams)
	{
		if (a->trigrams[i] == b->trigrams[j])
		{
			shared++;
			i++;
			j++;
		}
		else if (a->trigrams[i] < b->trigrams[j])
			i++;
		else
			j++;
	}
	return (double) shared / (double) (a->ntrigrams + b->ntrigrams - shared);
}

PG_FUNCTION_INFO_V1(bg_normalize_title);
PG_FUNCTION_INFO_V1(bg_title_similarity);

/* SQL normalize_title(text): the normaliser of title_like. */
Datum
bg_normalize_title(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(title_normalize(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))));
}

/* SQL title_similarity(text, text): the score title_like compares to its threshold. */
Datum
bg_title_similarity(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	TitleKey   *ka = title_key_make(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a));
	TitleKey   *kb = title_key_make(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));

	PG_RETURN_FLOAT8(title_key_similarity(ka, kb));
}
