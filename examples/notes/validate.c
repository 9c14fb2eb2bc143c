/*
 * Validation of the notes app's input, shared by the HTML forms and the JSON
 * API so both refuse the same things with the same words. Each problem is
 * recorded as field -> message in a JSON object the caller shows next to
 * the field (pages) or returns as is (API). Lengths count characters, not
 * bytes, as a person typing would.
 */
#include "notes.h"

#include <string.h>

/* Characters of UTF-8 text (bytes that do not continue a sequence). */
static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void add(json_t *errors, const char *field, const char *message) {
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(message));
}

bool notes_validate_note(const char *title, const char *body, json_t *errors) {
    size_t before = json_object_size(errors);
    if (!title || !*title)
        add(errors, "title", "Please give the note a title.");
    else if (utf8_chars(title) > NOTES_TITLE_MAX)
        add(errors, "title", "The title is too long (120 characters at most).");
    if (body && utf8_chars(body) > NOTES_BODY_MAX)
        add(errors, "body", "The note is too long (10000 characters at most).");
    return json_object_size(errors) == before;
}

bool notes_validate_account(const char *username, const char *password, const char *confirm,
                            json_t *errors) {
    size_t before = json_object_size(errors);
    size_t n = username ? strlen(username) : 0;
    if (n < 3 || n > 32)
        add(errors, "username", "Choose a name of 3 to 32 characters.");
    else if (strspn(username,
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        add(errors, "username", "Use only letters, digits, '.', '-' and '_'.");
    if (!password || utf8_chars(password) < 8)
        add(errors, "password", "Choose a password of at least 8 characters.");
    else if (strlen(password) > 1024)
        add(errors, "password", "That password is too long.");
    else if (!confirm || strcmp(password, confirm) != 0)
        add(errors, "confirm", "The two passwords differ.");
    return json_object_size(errors) == before;
}

const char *notes_trim(ph_request *req, const char *s) {
    if (!s)
        return "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    char *out = ph_request_alloc(req, n + 1);
    if (!out)
        return "";
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}
