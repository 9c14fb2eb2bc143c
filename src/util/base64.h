/*
 * Base64 (RFC 4648): the standard alphabet with '=' padding (section 4), and
 * the URL-safe alphabet without padding (section 5), as itsdangerous writes
 * it in signed cookies.
 *
 * Decoding is strict in both alphabets: no whitespace, no characters from the
 * other alphabet, no non-zero bits left over in the last character. A strict
 * decoder gives each byte string exactly one encoding, so a signed value
 * cannot be altered into another text that verifies. (Python's decoders are
 * lenient; every value Python writes is still accepted here.)
 */
#ifndef PH_UTIL_BASE64_H
#define PH_UTIL_BASE64_H

#include <stddef.h>

typedef enum ph_base64_alphabet {
    PH_BASE64_STD = 0, /* A-Z a-z 0-9 + /, padded with '=' to a multiple of 4 */
    PH_BASE64_URL = 1, /* A-Z a-z 0-9 - _, never padded */
} ph_base64_alphabet;

/*
 * Length of the encoding of `n` bytes, not counting a terminator.
 *
 * Returns:  the length; 0 for n == 0; SIZE_MAX when it would overflow.
 * Suspends: no.
 */
size_t ph__base64_encoded_len(size_t n, ph_base64_alphabet alpha);

/*
 * Encode `n` bytes of `src` into `dst`, which must hold
 * ph__base64_encoded_len(n) bytes. No terminator is written.
 *
 * Returns:  the number of characters written.
 * Owns:     nothing.
 * Suspends: no.
 */
size_t ph__base64_encode(char *dst, const void *src, size_t n, ph_base64_alphabet alpha);

/*
 * Upper bound of the decoded length of `n` characters: exact for valid
 * URL-safe input; padded input decodes to up to 2 bytes fewer.
 *
 * Suspends: no.
 */
size_t ph__base64_decoded_max(size_t n);

/*
 * Decode `n` characters of `src` into `dst`, which must hold
 * ph__base64_decoded_max(n) bytes. Never reads past `n`; `src` need not be
 * NUL-terminated.
 *
 * Returns:  the number of bytes written; PH_EPARSE for a character outside the
 *           alphabet, a bad length (4k+1 characters, or not a multiple of 4
 *           in the padded alphabet), misplaced padding or non-zero leftover
 *           bits.
 * Owns:     nothing.
 * Suspends: no.
 */
long ph__base64_decode(void *dst, const char *src, size_t n, ph_base64_alphabet alpha);

/*
 * Decode the standard alphabet leniently, as Python's base64.b64decode()
 * without validate (the decoder Werkzeug reads an Authorization header
 * with): characters outside the alphabet are skipped, a run of '=' that
 * completes a group of four ends the input, and what follows is ignored.
 * For headers only: a signed value needs the strict decoder above.
 *
 * Returns:  the number of bytes written to `dst` (room for
 *           ph__base64_decoded_max(n)); PH_EPARSE when the characters of
 *           the alphabet leave an incomplete group (Python's "Incorrect
 *           padding").
 * Suspends: no.
 */
long ph__base64_decode_lenient(void *dst, const char *src, size_t n);

#endif
