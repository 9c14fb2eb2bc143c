/*
 * examples/notes — the program: build the app (app.c) and hand the command
 * line to ph_app_main(): `run`, `routes`, and the app's `adduser`.
 */
#include "notes.h"

int main(int argc, char **argv) {
    ph_app *app = notes_create_app();
    if (!app)
        return 1;
    int rc = ph_app_main(app, argc, argv);
    notes_app_free(app);
    return rc;
}
