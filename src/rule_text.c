/*
 * rule_text.c
 *		Text helpers of the rule language: every text comparison is
 *		case-insensitive and ignores leading and trailing white space.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "utils/formatting.h"

#include "rule.h"

/* Is c white space for trimming purposes (ASCII space, tab, newlines, ...)? */
static inline bool
is_trim_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Narrows [*s, *s + *len) to exclude leading and trailing white space. */
void
text_trim(const char **s, int *len)
{
	const char *p = *s;
	int			n = *len;

	while (n > 0 && is_trim_space(*p))
	{
		p++;
		n--;
	}
	while (n > 0 && is_trim_space(p[n - 1]))
		n--;
	*s = p;
	*len = n;
}

/*
 * Lower-cases the ASCII text s into dst (room for len + 1 bytes) and returns
 * true; returns false, leaving dst unspecified, when s is not pure ASCII.
 * This is the allocation-free path used per row.
 */
bool
text_fold_ascii(const char *s, int len, char *dst)
{
	int			i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x80)
			return false;
		dst[i] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	dst[len] = '\0';
	return true;
}

/*
 * Returns the lower-cased copy of s (which is not trimmed here), palloc'd
 * in the current context. ASCII text is folded byte by byte; anything else
 * goes through the database's default collation, as lower() does.
 */
char *
text_fold(const char *s, int len, int *out_len)
{
	char	   *res = palloc(len + 1);

	if (text_fold_ascii(s, len, res))
	{
		*out_len = len;
		return res;
	}
	pfree(res);
	res = str_tolower(s, len, DEFAULT_COLLATION_OID);
	*out_len = (int) strlen(res);
	return res;
}

/* Does hay contain needle (byte-wise; both already folded)? */
bool
text_contains(const char *hay, int hay_len, const char *needle, int needle_len)
{
	const char *p = hay;
	const char *last = hay + hay_len - needle_len;

	if (needle_len == 0)
		return true;
	while (p <= last)
	{
		p = memchr(p, needle[0], last - p + 1);
		if (p == NULL)
			return false;
		if (memcmp(p + 1, needle + 1, needle_len - 1) == 0)
			return true;
		p++;
	}
	return false;
}
