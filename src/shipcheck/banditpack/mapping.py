"""Every bandit test and what shipcheck does with it: a BAN rule on one checklist item, or
left out with the reason. The rule files in ``rules/bandit/`` are generated from this table
and bandit's own metadata (``python -m shipcheck.banditpack.generate``); docs/bandit.md lists
both halves.

A test becomes a rule when what it reports is an instance of the problem a checklist item
prevents. It is left out when no item covers it, when it is an audit note on every use of an
ordinary API (no evidence of a problem), or when another test reports the same problem at
the line that matters (one finding per problem).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mapped:
    """A bandit test that becomes rule ``BAN<nnn>`` on checklist item ``key``.

    ``bad`` must be reported by the test and ``good`` must not (the generator checks both
    with bandit itself); ``precision`` overrides the one derived from bandit's confidence.
    """

    key: str
    summary: str
    remediation: str
    bad: str
    good: str
    precision: str | None = None


@dataclass(frozen=True)
class LeftOut:
    """A bandit test with no BAN rule, and why."""

    reason: str


_NO_CRYPTO_ITEM = (
    "No checklist item covers cryptographic strength yet; a `code.crypto` item would bring "
    "this test in."
)
_XML_REMEDIATION = (
    "Parse XML from outside the process with `defusedxml`, which refuses entity expansion "
    "and external entities, or call `defusedxml.defuse_stdlib()` at start-up."
)
_CLEARTEXT = (
    "Use an encrypted, authenticated protocol instead (SSH/SFTP, FTPS with `prot_p()`, "
    "HTTPS), so credentials and data do not cross the network in clear text."
)


def _xml(module: str, call: str, defused: str) -> Mapped:
    return Mapped(
        key="code.injection",
        summary=f"XML from outside is parsed with `{module}.{call}`, open to entity attacks.",
        remediation=_XML_REMEDIATION,
        bad=f"import {module}\n\ndoc = {module}.{call}(request.body)\n",
        good=f"import {defused}\n\ndoc = {defused}.{call}(request.body)\n",
    )


def _imported(where_used: str) -> LeftOut:
    return LeftOut(f"Reports the import; {where_used} (one finding per problem).")


TESTS: dict[str, Mapped | LeftOut] = {
    "B101": LeftOut(
        "No checklist item: `assert` is stripped under `python -O`, which matters only where "
        "an assert guards behaviour, and the test reports every assert, test suites included "
        "(46,471 of bandit's 47,042 results on saleor)."
    ),
    "B102": Mapped(
        key="code.injection",
        summary="A string is executed as Python code with `exec()`.",
        remediation=(
            "Do not execute strings: dispatch to known functions through a dictionary, and "
            "parse data with `json` or `ast.literal_eval`."
        ),
        bad='exec(request.form["snippet"])\n',
        good='handler = HANDLERS[request.form["action"]]\nhandler()\n',
    ),
    "B103": LeftOut(
        "No checklist item covers file modes inside the container; who the process runs as "
        "is checked by DKR001 and KUB010-KUB016."
    ),
    "B104": LeftOut(
        "Binding 0.0.0.0 is what a server in a container must do; whether the bind matches "
        "the published and probed ports is checked by the runtime.consistency rules."
    ),
    "B105": Mapped(
        key="secrets.hardcoded",
        summary="A password-like name is assigned a string literal.",
        remediation=(
            "Read the value from the environment or a secret manager at run time "
            '(`os.environ["DB_PASSWORD"]`), and rotate any value that was committed.'
        ),
        bad='DB_PASSWORD = "Tr0ub4dor-prod"\n',
        good='DB_PASSWORD = os.environ["DB_PASSWORD"]\n',
        precision="low",
    ),
    "B106": Mapped(
        key="secrets.hardcoded",
        summary="A string literal is passed as a password-like keyword argument.",
        remediation=(
            "Pass a value read from the environment or a secret manager, and rotate any value "
            "that was committed."
        ),
        bad='engine = connect(host="db", user="shop", password="Tr0ub4dor-prod")\n',
        good='engine = connect(host="db", user="shop", password=os.environ["DB_PASSWORD"])\n',
        precision="low",
    ),
    "B107": Mapped(
        key="secrets.hardcoded",
        summary="A password-like parameter has a string literal as its default.",
        remediation=(
            "Give the parameter no default (or `None`) and have callers pass a value read "
            "from the environment or a secret manager."
        ),
        bad='def connect(user, password="Tr0ub4dor-prod"):\n    ...\n',
        good="def connect(user, password):\n    ...\n",
        precision="low",
    ),
    "B108": LeftOut("No checklist item covers temporary-file locations."),
    "B110": Mapped(
        key="code.error-handling",
        summary="An exception handler swallows the error with `pass`.",
        remediation=(
            "Catch the narrowest exception you expect and log or handle it; let everything "
            "else propagate."
        ),
        bad="try:\n    send_receipt(order)\nexcept Exception:\n    pass\n",
        good=(
            "try:\n    send_receipt(order)\nexcept SMTPException:\n"
            '    logger.warning("receipt for order %s not sent", order.id, exc_info=True)\n'
        ),
    ),
    "B112": Mapped(
        key="code.error-handling",
        summary="An exception handler in a loop swallows the error with `continue`.",
        remediation=(
            "Catch the narrowest exception you expect and log it before moving on, so the "
            "skipped items are visible."
        ),
        bad=(
            "for row in rows:\n    try:\n        import_row(row)\n"
            "    except Exception:\n        continue\n"
        ),
        good=(
            "for row in rows:\n    try:\n        import_row(row)\n    except ValueError:\n"
            '        logger.warning("row %s skipped", row.number, exc_info=True)\n'
        ),
    ),
    "B113": Mapped(
        key="code.timeouts",
        summary="An HTTP call through `requests` has no timeout.",
        remediation="Pass `timeout=` (seconds, or a `(connect, read)` pair) on every call.",
        bad="import requests\n\nrequests.get(PAYMENT_STATUS_URL)\n",
        good="import requests\n\nrequests.get(PAYMENT_STATUS_URL, timeout=(3.05, 10))\n",
    ),
    "B201": Mapped(
        key="config.debug",
        summary="A Flask app is run with `debug=True`.",
        remediation=(
            "Serve the app with a production server (gunicorn, uwsgi) and turn debug on only "
            "locally, from the environment."
        ),
        bad="from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n",
        good=(
            "from flask import Flask\n\napp = Flask(__name__)\n"
            'app.run(debug=os.environ.get("FLASK_DEBUG") == "1")\n'
        ),
    ),
    "B202": Mapped(
        key="code.injection",
        summary="`tarfile.extractall` extracts an archive without checking its members.",
        remediation=(
            'Extract with `filter="data"` (Python 3.12+, backported to 3.8-3.11 security '
            "releases), which refuses absolute paths, `..` and links out of the target."
        ),
        bad="import tarfile\n\ntarfile.open(upload_path).extractall(MEDIA_ROOT)\n",
        good='import tarfile\n\ntarfile.open(upload_path).extractall(MEDIA_ROOT, filter="data")\n',
    ),
    "B301": Mapped(
        key="code.injection",
        summary="Data is deserialised with `pickle` (or a module built on it).",
        remediation=(
            "Exchange data as JSON (or another format that cannot carry code); unpickle only "
            "data this process wrote and nobody else could change."
        ),
        bad="import pickle\n\ncart = pickle.loads(request.cookies['cart'])\n",
        good="import json\n\ncart = json.loads(request.cookies['cart'])\n",
    ),
    "B302": Mapped(
        key="code.injection",
        summary="Data is deserialised with `marshal`.",
        remediation="Exchange data as JSON; `marshal` is for Python's own byte code only.",
        bad="import marshal\n\nstate = marshal.loads(blob)\n",
        good="import json\n\nstate = json.loads(blob)\n",
    ),
    "B303": LeftOut(_NO_CRYPTO_ITEM),
    "B304": LeftOut(_NO_CRYPTO_ITEM),
    "B305": LeftOut(_NO_CRYPTO_ITEM),
    "B306": LeftOut("No checklist item covers temporary-file races (`tempfile.mktemp`)."),
    "B307": Mapped(
        key="code.injection",
        summary="An expression is evaluated with `eval()`.",
        remediation=(
            "Parse literals with `ast.literal_eval`, or map the allowed inputs to functions; "
            "never evaluate text that comes from outside."
        ),
        bad='limit = eval(request.args["limit"])\n',
        good='import ast\n\nlimit = ast.literal_eval(request.args["limit"])\n',
    ),
    "B308": LeftOut(
        "Duplicate of B703 (BAN703), which reports the same `mark_safe` calls but only when "
        "the argument is not a literal."
    ),
    "B310": LeftOut(
        "An audit note on every `urlopen` call, literal `https://` URLs included; not "
        "evidence of a problem."
    ),
    "B311": LeftOut(_NO_CRYPTO_ITEM),
    "B312": Mapped(
        key="code.tls-verification",
        summary="A Telnet connection sends credentials and data in clear text.",
        remediation=_CLEARTEXT,
        bad="import telnetlib\n\nsession = telnetlib.Telnet(SWITCH_HOST)\n",
        good=(
            "import paramiko\n\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n"
            "client.connect(SWITCH_HOST)\n"
        ),
    ),
    "B313": _xml("xml.etree.cElementTree", "fromstring", "defusedxml.cElementTree"),
    "B314": _xml("xml.etree.ElementTree", "fromstring", "defusedxml.ElementTree"),
    "B315": _xml("xml.sax.expatreader", "create_parser", "defusedxml.expatreader"),
    "B316": _xml("xml.dom.expatbuilder", "parseString", "defusedxml.expatbuilder"),
    "B317": _xml("xml.sax", "parseString", "defusedxml.sax"),
    "B318": _xml("xml.dom.minidom", "parseString", "defusedxml.minidom"),
    "B319": _xml("xml.dom.pulldom", "parseString", "defusedxml.pulldom"),
    "B321": Mapped(
        key="code.tls-verification",
        summary="An FTP connection sends credentials and files in clear text.",
        remediation=_CLEARTEXT,
        bad="import ftplib\n\nftp = ftplib.FTP(EXPORT_HOST)\nftp.login(user, password)\n",
        good=(
            "import ftplib\n\nftp = ftplib.FTP_TLS(EXPORT_HOST)\nftp.login(user, password)\n"
            "ftp.prot_p()\n"
        ),
    ),
    "B323": Mapped(
        key="code.tls-verification",
        summary="An SSL context that skips certificate and host name checks is created.",
        remediation=(
            "Use `ssl.create_default_context()`; to trust a private CA, pass its bundle "
            "with `cafile=` instead of turning verification off."
        ),
        bad="import ssl\n\ncontext = ssl._create_unverified_context()\n",
        good=(
            "import ssl\n\n"
            'context = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")\n'
        ),
    ),
    "B324": LeftOut(_NO_CRYPTO_ITEM),
    "B401": _imported("B312 (BAN312) reports the line that opens the Telnet connection"),
    "B402": _imported("B321 (BAN321) reports the line that opens the FTP connection"),
    "B403": _imported("B301 (BAN301) reports the line that unpickles"),
    "B404": _imported("BAN602, BAN604, BAN605 and BAN609 report the lines that start a shell"),
    "B405": _imported("BAN313 and BAN314 report the lines that parse"),
    "B406": _imported("BAN315 and BAN317 report the lines that parse"),
    "B407": _imported("BAN316 reports the lines that parse"),
    "B408": _imported("BAN318 reports the lines that parse"),
    "B409": _imported("BAN319 reports the lines that parse"),
    "B411": Mapped(
        key="code.injection",
        summary="XML-RPC, which parses XML from the network, is used without `defusedxml`.",
        remediation=(
            "Call `defusedxml.xmlrpc.monkey_patch()` before using `xmlrpc`, or move the "
            "integration to a JSON API."
        ),
        bad="import xmlrpc.client\n\nerp = xmlrpc.client.ServerProxy(ERP_URL)\n",
        good="import requests\n\nerp = requests.post(ERP_URL, json=payload, timeout=10)\n",
    ),
    "B412": Mapped(
        key="code.injection",
        summary="The app is served through CGI, open to httpoxy (a client-set `HTTP_PROXY`).",
        remediation=(
            "Serve the WSGI application with a production server (gunicorn, uwsgi) instead "
            "of `wsgiref`'s CGI handler."
        ),
        bad="from wsgiref.handlers import CGIHandler\n\nCGIHandler().run(app)\n",
        good="# Procfile\n# web: gunicorn shop.wsgi --bind 0.0.0.0:$PORT\n",
    ),
    "B413": LeftOut(
        "Cannot tell the unmaintained pycrypto from its maintained drop-in pycryptodome "
        "(both are imported as `Crypto`); a pinned pycrypto's advisories are DEP005's."
    ),
    "B415": LeftOut(
        "Import-only, and IPMI management clients are outside a web application's "
        "deployment checklist."
    ),
    "B501": Mapped(
        key="code.tls-verification",
        summary="An HTTP call through `requests` turns certificate verification off.",
        remediation=(
            "Keep `verify=True`; to trust a private CA, pass its bundle: "
            '`verify="/etc/ssl/internal-ca.pem"`.'
        ),
        bad="import requests\n\nrequests.get(INVENTORY_URL, verify=False, timeout=10)\n",
        good=(
            "import requests\n\n"
            'requests.get(INVENTORY_URL, verify="/etc/ssl/internal-ca.pem", timeout=10)\n'
        ),
    ),
    "B502": Mapped(
        key="code.tls-verification",
        summary="A socket is wrapped with an insecure SSL/TLS protocol version.",
        remediation=(
            "Use `ssl.create_default_context()` and, if needed, raise "
            "`context.minimum_version` to `ssl.TLSVersion.TLSv1_2`."
        ),
        bad="import ssl\n\nconn = ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLSv1)\n",
        good=(
            "import ssl\n\ncontext = ssl.create_default_context()\n"
            "context.minimum_version = ssl.TLSVersion.TLSv1_2\n"
            "conn = context.wrap_socket(sock, server_hostname=host)\n"
        ),
    ),
    "B503": Mapped(
        key="code.tls-verification",
        summary="A function defaults to an insecure SSL/TLS protocol version.",
        remediation=(
            "Take an `ssl.SSLContext` argument and default to `ssl.create_default_context()`."
        ),
        bad="import ssl\n\ndef connect(host, ssl_version=ssl.PROTOCOL_TLSv1):\n    ...\n",
        good=(
            "import ssl\n\ndef connect(host, context=None):\n"
            "    context = context or ssl.create_default_context()\n"
        ),
    ),
    "B504": Mapped(
        key="code.tls-verification",
        summary="`ssl.wrap_socket` is called without a protocol version.",
        remediation=(
            "Wrap sockets through `ssl.create_default_context().wrap_socket(sock, "
            "server_hostname=host)`; `ssl.wrap_socket` is gone in Python 3.12."
        ),
        bad="import ssl\n\nconn = ssl.wrap_socket(sock)\n",
        good=(
            "import ssl\n\n"
            "conn = ssl.create_default_context().wrap_socket(sock, server_hostname=host)\n"
        ),
    ),
    "B505": LeftOut(_NO_CRYPTO_ITEM),
    "B506": Mapped(
        key="code.injection",
        summary="YAML is loaded with a loader that can build arbitrary objects.",
        remediation="Use `yaml.safe_load` (or `Loader=yaml.SafeLoader`).",
        bad="import yaml\n\nconfig = yaml.load(stream)\n",
        good="import yaml\n\nconfig = yaml.safe_load(stream)\n",
    ),
    "B507": Mapped(
        key="code.tls-verification",
        summary="An SSH client trusts unknown host keys (`AutoAddPolicy`).",
        remediation=(
            "Load known host keys (`load_system_host_keys()` or a managed known_hosts file) "
            "and reject unknown ones with `paramiko.RejectPolicy()`."
        ),
        bad=(
            "import paramiko\n\nclient = paramiko.SSHClient()\n"
            "client.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n"
        ),
        good=(
            "import paramiko\n\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n"
            "client.set_missing_host_key_policy(paramiko.RejectPolicy())\n"
        ),
    ),
    "B508": Mapped(
        key="code.tls-verification",
        summary="SNMP v1 or v2c sends the community string in clear text.",
        remediation="Use SNMPv3 with authentication and privacy (`UsmUserData` with keys).",
        bad=(
            'from pysnmp.hlapi import CommunityData\n\nauth = CommunityData("public", mpModel=0)\n'
        ),
        good=(
            "from pysnmp.hlapi import UsmUserData\n\n"
            'auth = UsmUserData("monitor", AUTH_KEY, PRIV_KEY)\n'
        ),
    ),
    "B509": Mapped(
        key="code.tls-verification",
        summary="SNMPv3 is used without authentication and encryption keys.",
        remediation="Give `UsmUserData` an authentication key and a privacy key (authPriv).",
        bad='from pysnmp.hlapi import UsmUserData\n\nauth = UsmUserData("monitor")\n',
        good=(
            "from pysnmp.hlapi import UsmUserData\n\n"
            'auth = UsmUserData("monitor", AUTH_KEY, PRIV_KEY)\n'
        ),
    ),
    "B601": Mapped(
        key="code.injection",
        summary="A command runs through a remote shell with paramiko's `exec_command`.",
        remediation=(
            "Avoid building remote commands from input: transfer files over SFTP, or quote "
            "every argument with `shlex.quote`."
        ),
        bad=(
            "import paramiko\n\nclient = paramiko.SSHClient()\n"
            'client.exec_command(f"tail -n 100 {log_name}")\n'
        ),
        good=(
            "import paramiko\n\nclient = paramiko.SSHClient()\n"
            "client.open_sftp().get(remote_log, local_copy)\n"
        ),
    ),
    "B602": Mapped(
        key="code.injection",
        summary="A `subprocess` call runs its command through a shell (`shell=True`).",
        remediation=(
            "Pass the command as a list of arguments without `shell=True`, so no shell "
            "interprets what the arguments contain."
        ),
        bad=(
            "import subprocess\n\n"
            'subprocess.run(f"convert {upload} -resize 200x200 thumb.png", shell=True)\n'
        ),
        good=(
            "import subprocess\n\n"
            'subprocess.run(["/usr/bin/convert", upload, "-resize", "200x200", "thumb.png"])\n'
        ),
    ),
    "B603": LeftOut(
        "An audit note on every process start without a shell ('check for execution of "
        "untrusted input'); not evidence of injection."
    ),
    "B604": Mapped(
        key="code.injection",
        summary="A function is called with `shell=True`.",
        remediation=(
            "Pass the command as a list of arguments and leave the shell out, whatever the "
            "wrapper is called."
        ),
        bad='run_command(f"pg_dump {database}", shell=True)\n',
        good='run_command(["/usr/bin/pg_dump", database])\n',
    ),
    "B605": Mapped(
        key="code.injection",
        summary="A process is started through a shell (`os.system`, `os.popen`, `popen2`).",
        remediation=("Use `subprocess.run` with a list of arguments, so no shell interprets them."),
        bad='import os\n\nos.system(f"pg_dump {database} > {target}")\n',
        good=(
            "import subprocess\n\n"
            'subprocess.run(["/usr/bin/pg_dump", database, "-f", target], check=True)\n'
        ),
    ),
    "B606": LeftOut(
        "An audit note on every process start without a shell (bandit: 'to track where "
        "external system calls are used'); not evidence of injection."
    ),
    "B607": LeftOut(
        "A PATH lookup is not injection of untrusted data, and in an image PATH is fixed by "
        'the Dockerfile; the test reports every `subprocess.run(["git", ...])`.'
    ),
    "B608": Mapped(
        key="sql.raw-formatting",
        summary="An SQL statement is built with string formatting or concatenation.",
        remediation=(
            "Pass values as query parameters (`cursor.execute(sql, params)`) or use the "
            "ORM's query API."
        ),
        bad="cursor.execute(f\"SELECT * FROM orders WHERE email = '{email}'\")\n",
        good='cursor.execute("SELECT * FROM orders WHERE email = %s", [email])\n',
    ),
    "B609": Mapped(
        key="code.injection",
        summary="A shell command expands a wildcard that file names can turn into options.",
        remediation=(
            "List the files yourself and pass them after `--` as separate arguments, without "
            "a shell."
        ),
        bad='import os\n\nos.system("/bin/chown app:app *")\n',
        good=(
            "import subprocess\n\n"
            'subprocess.run(["/bin/chown", "app:app", "--", *paths], check=True)\n'
        ),
    ),
    "B610": Mapped(
        key="sql.raw-formatting",
        summary="Django's `QuerySet.extra()` injects raw SQL.",
        remediation="Express the query with the ORM (`filter`, `annotate`, `F`, `Func`).",
        bad="Order.objects.extra(where=[f\"status = '{status}'\"])\n",
        good="Order.objects.filter(status=status)\n",
    ),
    "B611": Mapped(
        key="sql.raw-formatting",
        summary="Django's `RawSQL` is built from formatted text.",
        remediation="Keep the SQL a constant and pass values in `RawSQL`'s params list.",
        bad=(
            "from django.db.models.expressions import RawSQL\n\n"
            'Order.objects.annotate(total=RawSQL(f"SELECT sum({column}) FROM lines", []))\n'
        ),
        good=(
            "from django.db.models.expressions import RawSQL\n\n"
            "Order.objects.annotate(\n"
            '    total=RawSQL("SELECT sum(price) FROM lines WHERE order_id = %s", [pk])\n'
            ")\n"
        ),
    ),
    "B612": Mapped(
        key="code.injection",
        summary="`logging.config.listen` accepts configuration (and code) from the network.",
        remediation=(
            "Do not listen for logging configuration in production; if you must, pass a "
            "`verify=` function that checks a signature."
        ),
        bad="import logging.config\n\nlistener = logging.config.listen(9999)\n",
        good=(
            "import logging.config\n\n"
            "listener = logging.config.listen(9999, verify=check_signature)\n"
        ),
    ),
    "B613": LeftOut(
        "No checklist item covers source that hides code from reviewers (bidirectional "
        "control characters)."
    ),
    "B614": Mapped(
        key="code.injection",
        summary="A PyTorch file is loaded with pickle enabled (`torch.load`).",
        remediation="Load with `torch.load(path, weights_only=True)`, or use safetensors.",
        bad='import torch\n\nmodel = torch.load("model.pt")\n',
        good='import torch\n\nmodel = torch.load("model.pt", weights_only=True)\n',
    ),
    "B615": Mapped(
        key="deps.pinned",
        summary="A Hugging Face model or dataset is downloaded without a pinned revision.",
        remediation=(
            "Pin `revision=` to a commit hash, so a push to the model repository cannot "
            "change (or backdoor) what production loads."
        ),
        bad=(
            "from transformers import AutoModel\n\n"
            'model = AutoModel.from_pretrained("acme/product-embeddings")\n'
        ),
        good=(
            "from transformers import AutoModel\n\n"
            'model = AutoModel.from_pretrained("acme/product-embeddings", '
            'revision="5546055f03398095e385d7dc625e636cc8910bf2")\n'
        ),
    ),
    "B701": Mapped(
        key="code.injection",
        summary="A Jinja2 environment renders without autoescaping.",
        remediation="Create the environment with `autoescape=select_autoescape()`.",
        bad="import jinja2\n\nenv = jinja2.Environment(loader=loader)\n",
        good=(
            "import jinja2\n\n"
            "env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape())\n"
        ),
    ),
    "B702": LeftOut(
        "Reports every mako `Template`, including those built with `default_filters=['h']` "
        "(the fix); not evidence of a problem."
    ),
    "B703": Mapped(
        key="code.injection",
        summary="Django's `mark_safe` is called on text that is not a literal.",
        remediation=(
            "Build HTML with `format_html()` (it escapes the arguments) and keep `mark_safe` "
            "for constants."
        ),
        bad=(
            "from django.utils.safestring import mark_safe\n\n"
            "link = mark_safe(f'<a href=\"{url}\">{title}</a>')\n"
        ),
        good=(
            "from django.utils.html import format_html\n\n"
            "link = format_html('<a href=\"{}\">{}</a>', url, title)\n"
        ),
    ),
    "B704": Mapped(
        key="code.injection",
        summary="`markupsafe.Markup` is built from text that is not a literal.",
        remediation=(
            'Escape the values instead: `Markup("<b>{}</b>").format(name)` escapes `name`.'
        ),
        bad='from markupsafe import Markup\n\nlabel = Markup(f"<b>{name}</b>")\n',
        good='from markupsafe import Markup\n\nlabel = Markup("<b>{}</b>").format(name)\n',
    ),
}


def rule_id(test_id: str) -> str:
    """``B602`` → ``BAN602``."""
    return "BAN" + test_id[1:]


def test_id(rule: str) -> str:
    """``BAN602`` → ``B602``."""
    return "B" + rule[3:]
