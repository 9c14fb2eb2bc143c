/*
 * examples/hello — the aioflask README example, in C:
 *
 *     @app.route('/')
 *     async def index():
 *         await asyncio.sleep(1)
 *         return await render_template('index.html')
 *
 * The view sleeps one second without blocking the worker (ph_sleep() parks
 * this request's task; the loop serves other requests meanwhile), then renders
 * templates/index.html (loading the file suspends too). Ten concurrent
 * requests therefore take about one second in all, not ten.
 *
 * Run:  ./hello run [--host H] [--port P] [--workers N]
 */
#include <phial.h>

static ph_response *index_view(ph_request *req) {
    ph_sleep(1.0);
    return ph_render_template(req, "index.html", NULL);
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("hello");
    if (!app)
        return 1;
    /* Flask finds templates beside the app's module; a C program has no
     * module path, so say where they are (the source folder, set by CMake;
     * PHIAL_TEMPLATE_FOLDER in the environment overrides it). */
    ph_config_set_str(app, "TEMPLATE_FOLDER", HELLO_DIR "/templates");
    ph_route(app, "/", index_view);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
