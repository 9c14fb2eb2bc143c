/*
 * phial — Flask for C, fully asynchronous.
 *
 * The one header applications include. Each area lives in its own file under
 * include/phial/; this header pulls in all of them.
 */
#ifndef PHIAL_H
#define PHIAL_H

#include "phial/common.h"
#include "phial/http.h"
#include "phial/log.h"
#include "phial/runtime.h"
#include "phial/protocol.h"
#include "phial/server.h"
#include "phial/app.h"
#include "phial/blueprint.h"
#include "phial/websocket.h"
#include "phial/session.h"
#include "phial/testing.h"
#include "phial/template.h"
#include "phial/render.h"
#include "phial/cli.h"
#include "phial/static.h"

#endif
