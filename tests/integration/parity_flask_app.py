"""The Flask 2.2 half of the differential test (test_flask_parity.py): the
app of tests/tools/parity_app.c, view for view, written as a Flask user
would write it. Rules are registered in the same order as there, since the
order decides which rule url_for builds and which of two equal rules
matches."""
import json
import re

from flask import (Blueprint, Flask, Response, abort, g, jsonify, make_response, redirect, request,
                   url_for)
from flask.views import MethodView
from werkzeug.routing import BaseConverter, ValidationError


class ListConverter(BaseConverter):
    """Flask's documentation example, items joined with '+'."""

    def to_python(self, value):
        return value.split("+")

    def to_url(self, values):
        return "+".join(BaseConverter.to_url(self, value) for value in values)


class PartsConverter(BaseConverter):
    """Spans slashes: the segments as a list."""

    regex = "[^/].*?"
    part_isolating = False

    def to_python(self, value):
        return value.split("/")

    def to_url(self, values):
        return "/".join(BaseConverter.to_url(self, value) for value in values)


class HexConverter(BaseConverter):
    """Lowercase hexadecimal digits as an int, zero-padded to `width` in URLs."""

    def __init__(self, map, width=1):
        super().__init__(map)
        self.width = width

    def to_python(self, value):
        if not re.fullmatch("[0-9a-f]{1,15}", value):
            raise ValidationError()
        return int(value, 16)

    def to_url(self, value):
        return format(value, f"0{self.width}x")


def endpoint_name(**_):
    return request.endpoint


def int_value(n):
    return jsonify(n=n)


def float_value(x):
    return jsonify(x=x)


def str_value(s):
    return jsonify(s=str(s))


def list_value(items):
    return jsonify(items=items)


def hex_value(n):
    return jsonify(n=n)


def parts_value(p):
    return jsonify(p=p)


def two_values(a=None, b=None):
    return jsonify(a=a, b=b)


def users(page):
    return jsonify(page=page)


def method():
    return "m " + request.method


def head():
    r = make_response("hello head")
    r.headers["X-Method"] = request.method
    return r


def slash_value(s):
    return s


def prec_s(s):
    return "s"


def prec_i(n):
    return "i"


def prec_f(x):
    return "f"


def prec_fixed():
    return "fixed"


def url_for_view():
    a = request.args
    options = {"_" + k: a[k] for k in ("scheme", "anchor", "method") if k in a}
    if "external" in a:
        options["_external"] = True
    values = json.loads(a["values"]) if "values" in a else {}
    try:
        url = url_for(a.get("endpoint"), **values, **options)
    except Exception:  # BuildError, ValueError, TypeError: phial's NULL
        url = "ERR"
    return Response(url, mimetype="text/plain")


def redir():
    return redirect(request.args.get("to", "/target"), int(request.args.get("code", 302)))


def do_abort(n):
    abort(n)


def abortmsg():
    abort(403, description='no <b>way</b> & "q"')


def none():
    return None


def args():
    return jsonify(a=request.args.getlist("a"), first=request.args.get("a"),
                   items=list(request.args.items(multi=True)),
                   qs=request.query_string.decode("latin-1"), path=request.path,
                   full=request.full_path)


def form():
    files = [[name, f.filename, f.content_type or None, len(f.read())]
             for name, f in request.files.items(multi=True)]
    return jsonify(a=request.form.getlist("a"), items=list(request.form.items(multi=True)),
                   files=files)


def getjson():
    return jsonify(got=request.get_json())


def jsonsilent():
    return jsonify(got=request.get_json(silent=True))


def data():
    return jsonify(len=len(request.get_data()))


def cookies_sent():
    c = request.cookies
    return jsonify({k: c.get(k) for k in ("a", "b", "c", "d d")})


def hdr(s=None):
    return jsonify(x=request.headers.get("X-T"), path=request.path, full=request.full_path,
                   url=request.url, base=request.base_url, root=request.url_root,
                   host=request.host, scheme=request.scheme, host_url=request.host_url)


def jsonify_view():
    return jsonify(json.loads(request.args["v"])), int(request.args.get("status", 200))


def mk():
    return "created", 201, {"X-A": "1"}


def csv():
    return Response("a,b\n", mimetype="text/csv")


def txt():
    return Response("plain \u00e9", mimetype="text/plain")


def html():
    return "<p>\u00e9</p>"


def empty():
    return ""


def s204():
    return "", 204


def cookie():
    r = make_response("c")
    for spec in request.args.getlist("c"):
        spec = json.loads(spec)
        if spec.pop("delete", False):
            r.delete_cookie(**spec)
        else:
            r.set_cookie(**spec)
    return r


def lang_blueprint():
    """Flask's internationalised-URL pattern (URL processors)."""
    bp = Blueprint("lang", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_lang(endpoint, values):
        values.setdefault("lang_code", g.lang_code)

    @bp.url_value_preprocessor
    def pull_lang(endpoint, values):
        g.lang_code = values.pop("lang_code")

    def lang_page():
        return jsonify(lang=g.lang_code, in_view_args="lang_code" in request.view_args,
                       endpoint=request.endpoint, about=url_for(".about"),
                       index=url_for(".index"), other=url_for(".index", lang_code="xx"))

    bp.add_url_rule("/", "index", lang_page)
    bp.add_url_rule("/about", "about", lang_page)
    return bp


def mv_answer(what, id=None):
    r = make_response(f"{what} {id} {request.endpoint}")
    r.headers["X-Method"] = request.method
    return r


class UserAPI(MethodView):
    """Flask's example: one endpoint, two rules, each for some methods."""

    def get(self, id=None):
        return mv_answer("get", id)

    def post(self):
        return mv_answer("post")

    def put(self, id):
        return mv_answer("put", id)

    def delete(self, id):
        return mv_answer("delete", id)


class ItemAPI(MethodView):
    def get(self):
        return mv_answer("get")

    def head(self):
        return mv_answer("head")


def create_app():
    app = Flask("parity", static_folder=None)
    rule = app.add_url_rule
    # routing_rules
    rule("/", "index", endpoint_name)
    rule("/strict/", "strict", endpoint_name)
    rule("/noslash", "noslash", endpoint_name)
    rule("/loose/", "loose", endpoint_name, strict_slashes=False)
    rule("/loose2", "loose2", endpoint_name, strict_slashes=False)
    rule("/a/b/", "ab", endpoint_name)
    rule("/post", "post_only", method, methods=["POST"])
    rule("/gp", "method_gp", method, methods=["GET", "PUT"])
    rule("/all", "all_methods", method, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    rule("/noopt", "noopt", method, provide_automatic_options=False)
    rule("/split", "split_get", method, methods=["GET"])
    rule("/split", "split_post", method, methods=["POST"])
    rule("/head", view_func=head)
    rule("/sl/<s>/", view_func=slash_value)
    rule("/prec/<s>", view_func=prec_s)
    rule("/prec/<int:n>", view_func=prec_i)
    rule("/prec/<float:x>", view_func=prec_f)
    rule("/prec/fixed", view_func=prec_fixed)
    # default_rules
    rule("/users/", view_func=users, defaults={"page": 1})
    rule("/dflt/<a>", "dflt", two_values, defaults={"b": "dflt"})
    # converter_rules
    rule("/int/<int:n>", "v_int", int_value)
    rule("/sint/<int(signed=True):n>", "v_sint", int_value)
    rule("/rint/<int(min=1,max=10):n>", "v_rint", int_value)
    rule("/fint/<int(fixed_digits=3):n>", "v_fint", int_value)
    rule("/float/<float:x>", "v_float", float_value)
    rule("/sfloat/<float(signed=True):x>", "v_sfloat", float_value)
    rule("/path/<path:s>", "v_path", str_value)
    rule("/pathmid/<path:s>/end", "v_pathmid", str_value)
    rule("/uuid/<uuid:s>", "v_uuid", str_value)
    rule('/any/<any(abc,xyz,"a b"):s>', "v_any", str_value)
    rule("/str/<s>", "v_str", str_value)
    rule("/slen/<string(length=3):s>", "v_slen", str_value)
    rule("/smm/<string(minlength=2,maxlength=4):s>", "v_smm", str_value)
    rule("/two/<a>/<b>", "two", two_values)
    rule("/ext/<a>.<b>", "ext", two_values)
    rule("/users/page/<int:page>", view_func=users)
    # custom_converter_rules
    app.url_map.converters.update(list=ListConverter, hex=HexConverter, parts=PartsConverter)
    rule("/list/<list:items>", "v_list", list_value)
    rule("/hex/<hex:n>", "v_hex", hex_value)
    rule("/hexw/<hex(width=4):n>", "v_hexw", hex_value)
    rule("/pick/<hex:n>", "pick_hex", endpoint_name)
    rule("/pick/<s>", "pick_str", endpoint_name)
    rule("/parts/<parts:p>/end", "v_parts_end", parts_value)
    rule("/parts/<parts:p>", "v_parts", parts_value)
    # request_and_response_views
    rule("/url_for", "url_for", url_for_view)
    rule("/redir", view_func=redir)
    rule("/abort/<int:n>", view_func=do_abort)
    rule("/abortmsg", view_func=abortmsg)
    rule("/none", view_func=none)
    rule("/args", view_func=args)
    rule("/form", view_func=form, methods=["POST"])
    rule("/json", view_func=getjson, methods=["GET", "POST"])
    rule("/jsonsilent", view_func=jsonsilent, methods=["POST"])
    rule("/data", view_func=data, methods=["POST"])
    rule("/rc", view_func=cookies_sent)
    rule("/hdr", view_func=hdr)
    rule("/hdr/<path:s>", view_func=hdr)
    rule("/jsonify", "jsonify", jsonify_view)
    rule("/mk", view_func=mk)
    rule("/csv", view_func=csv)
    rule("/txt", view_func=txt)
    rule("/html", view_func=html)
    rule("/empty", view_func=empty)
    rule("/s204", view_func=s204)
    rule("/cookie", view_func=cookie)
    # url_processor_rules
    app.register_blueprint(lang_blueprint())
    # method_view_rules
    user_api = UserAPI.as_view("user_api")
    rule("/mv/", view_func=user_api, methods=["GET", "POST"])
    rule("/mv/<int:id>", view_func=user_api, methods=["GET", "PUT", "DELETE"])
    rule("/mvitem", view_func=ItemAPI.as_view("item_api"))
    return app
