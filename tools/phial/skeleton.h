/*
 * The files of a new project (`phial new`), embedded in the command so it
 * needs nothing installed beside it. In paths and contents, @NAME@ becomes
 * the project's name and @ID@ the name as a C identifier.
 */
#ifndef PHIAL_TOOL_SKELETON_H
#define PHIAL_TOOL_SKELETON_H

typedef struct phial_skeleton_file {
    const char *path;    /* relative to the project folder */
    const char *content; /* with @NAME@ and @ID@ placeholders */
} phial_skeleton_file;

/* The files, ending with {NULL, NULL}. */
extern const phial_skeleton_file phial_skeleton[];

#endif
