/*
 * hullguard._tarscan: the C fast path of hullguard.image.tarstream.TarStream.
 *
 * Why hand-written C: no well-kept library parses tar headers from a stream
 * at C speed for Python. tarfile is pure Python (slower than our own reader);
 * libarchive-c goes through ctypes once per entry (no faster) and would also
 * take over decompression, which ISA-L does faster. The Python reader costs
 * ~15-20 us per header; this scanner costs well under 1 us.
 *
 * Contract (see docs/adr/0210-tar-header-accelerator.md): scan() walks as many
 * consecutive *plain* headers as lie fully inside the buffer and returns them.
 * It never raises on archive content: at the first header it does not handle
 * completely -- a zero block, a bad or non-plain checksum, PAX/GNU extension
 * headers, unknown type flags, base-256 or otherwise odd numbers, a path that
 * is absolute, has "..", is longer than the limit or is a whiteout, a device
 * outside /dev, a hardlink whose target would be rejected, a symlink that is
 * empty or climbs above the root -- it stops, and the reviewed Python code
 * reads that header (and raises, if it must). Whatever it does return is
 * exactly what the Python code returns for the same bytes; the differential
 * tests in tests/unit/image/test_tarscan_differential.py hold it to that.
 *
 * Every read is bounded by the buffer length; name and link strings are at
 * most 256 bytes by construction of the header (checked anyway).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define BLOCK 512
#define PATH_BUF 512 /* > 155 (prefix) + 1 + 100 (name) + 1 (leading "/") */

/* A numeric field Python's fast path (int(f.rstrip(b"\0 ") or b"0", 8)) reads
 * the same way: after trailing NULs/spaces are dropped, optional leading
 * spaces then octal digits only. Anything else returns -1 (Python decides). */
static int
plain_octal(const unsigned char *f, Py_ssize_t n, long long *out)
{
    Py_ssize_t end = n, i = 0;
    long long v = 0;

    while (end > 0 && (f[end - 1] == 0 || f[end - 1] == ' '))
        end--;
    if (end == 0) {
        *out = 0;
        return 0;
    }
    while (i < end && f[i] == ' ')
        i++;
    if (i == end || end - i > 21) /* 21 octal digits < 2**63 */
        return -1;
    for (; i < end; i++) {
        if (f[i] < '0' || f[i] > '7')
            return -1;
        v = v * 8 + (f[i] - '0');
    }
    *out = v;
    return 0;
}

/* Length of a NUL-terminated field of at most n bytes. */
static Py_ssize_t
field_len(const unsigned char *f, Py_ssize_t n)
{
    const void *nul = memchr(f, 0, (size_t)n);
    return nul ? (Py_ssize_t)((const unsigned char *)nul - f) : n;
}

/* normalise_member_path for names it accepts without raising: "/" + the
 * components other than "" and ".". Returns the length written to out (which
 * holds at least n + 1 bytes), or -1 when Python must decide (over the byte
 * limit, absolute, or a ".." component). */
static Py_ssize_t
normalise(const unsigned char *name, Py_ssize_t n, Py_ssize_t max_bytes, char *out)
{
    Py_ssize_t i = 0, o = 0;

    if (n > max_bytes || (n > 0 && name[0] == '/'))
        return -1;
    while (i < n) {
        Py_ssize_t j = i;
        while (j < n && name[j] != '/')
            j++;
        if (j - i == 2 && name[i] == '.' && name[i + 1] == '.')
            return -1;
        if (j - i > 1 || (j - i == 1 && name[i] != '.')) {
            out[o++] = '/';
            memcpy(out + o, name + i, (size_t)(j - i));
            o += j - i;
        }
        i = j + 1;
    }
    if (o == 0)
        out[o++] = '/';
    return o;
}

static int
has_whiteout(const char *p, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i + 5 <= n; i++)
        if (memcmp(p + i, "/.wh.", 5) == 0)
            return 1;
    return 0;
}

/* check_symlink without raising: 1 when the target stays inside the root. */
static int
symlink_ok(const char *path, Py_ssize_t plen, const unsigned char *t, Py_ssize_t tlen)
{
    Py_ssize_t i = 0, depth = -1;

    if (tlen == 0)
        return 0;
    if (t[0] == '/')
        return 1;
    for (i = 0; i < plen; i++)
        depth += path[i] == '/';
    i = 0;
    while (i <= tlen) {
        Py_ssize_t j = i;
        while (j < tlen && t[j] != '/')
            j++;
        if (j - i == 2 && t[i] == '.' && t[i + 1] == '.') {
            if (--depth < 0)
                return 0;
        }
        else if (j - i > 1 || (j - i == 1 && t[i] != '.')) {
            depth++;
        }
        i = j + 1;
    }
    return 1;
}

static PyObject *
decode(const char *s, Py_ssize_t n)
{
    return PyUnicode_DecodeUTF8(s, n, "surrogateescape");
}

/* One header at h (512 readable bytes). Returns a new reference to the item,
 * Py_None (borrowed, not increfed) when Python must read this header, or NULL
 * with an exception set. *data_size gets the member's data bytes to skip. */
static PyObject *
one_header(const unsigned char *h, Py_ssize_t hoff, Py_ssize_t max_path, PyObject *types,
           int rows, long long *data_size)
{
    long long stored, size, mode, uid, gid, mtime;
    unsigned long sum = 0, chk = 0;
    unsigned char name[PATH_BUF];
    char path[PATH_BUF], link[PATH_BUF];
    Py_ssize_t i, nlen, plen, pathlen, linklen = 0;
    int t = h[156], is_data, is_link;
    PyObject *ftype, *p = NULL, *l = NULL, *item = NULL;

    for (i = 0; i < BLOCK; i++)
        sum += h[i];
    if (sum == 0) /* a zero block: end of archive */
        return Py_None;
    for (i = 148; i < 156; i++)
        chk += h[i];
    if (plain_octal(h + 148, 8, &stored) < 0 || (unsigned long long)stored != sum - chk + 256)
        return Py_None;
    if (t == 0 ? 0 : strchr("01234567S", t) == NULL)
        return Py_None; /* extension headers and unknown types: Python */
    ftype = PyTuple_GET_ITEM(types, t);
    if (ftype == Py_None)
        return Py_None;
    if (plain_octal(h + 124, 12, &size) < 0 || plain_octal(h + 100, 8, &mode) < 0 ||
        plain_octal(h + 108, 8, &uid) < 0 || plain_octal(h + 116, 8, &gid) < 0 ||
        plain_octal(h + 136, 12, &mtime) < 0)
        return Py_None;

    nlen = field_len(h, 100);
    plen = 0;
    if (memcmp(h + 257, "ustar", 5) == 0 && h[345] != 0) {
        plen = field_len(h + 345, 155);
        memcpy(name, h + 345, (size_t)plen);
        name[plen++] = '/';
    }
    if (plen + nlen > PATH_BUF - 2)
        return Py_None; /* cannot happen (155 + 1 + 100); never overrun */
    memcpy(name + plen, h, (size_t)nlen);
    pathlen = normalise(name, plen + nlen, max_path, path);
    if (pathlen < 0 || has_whiteout(path, pathlen))
        return Py_None;
    if ((t == '3' || t == '4') && (pathlen < 5 || memcmp(path, "/dev/", 5) != 0))
        return Py_None;

    is_link = t == '1' || t == '2';
    if (is_link) {
        Py_ssize_t tlen = field_len(h + 157, 100);
        if (t == '1') {
            linklen = normalise(h + 157, tlen, max_path, link);
            if (linklen < 0)
                return Py_None;
        }
        else {
            if (!symlink_ok(path, pathlen, h + 157, tlen))
                return Py_None;
            memcpy(link, h + 157, (size_t)tlen);
            linklen = tlen;
        }
    }
    is_data = t == '0' || t == 0 || t == '7' || t == 'S';
    *data_size = is_data ? size : 0;

    p = decode(path, pathlen);
    if (p == NULL)
        return NULL;
    l = decode(link, linklen);
    if (l == NULL) {
        Py_DECREF(p);
        return NULL;
    }
    if (rows)
        item = Py_BuildValue("[NOLLLLN]", p, ftype, *data_size, mode & 07777, uid, gid, l);
    else
        item = Py_BuildValue("(NOLLLLLNn)", p, ftype, *data_size, mode & 07777, uid, gid, mtime,
                             l, hoff);
    return item; /* "N" stole p and l, also on failure */
}

PyDoc_STRVAR(scan_doc,
"scan(buf, pos, max_entries, max_path_bytes, types, rows) -> (items, pos, skip)\n\n"
"Read consecutive plain tar headers of buf from offset pos while they lie fully\n"
"in buf (at most max_entries). types maps each type-flag byte to its FileType\n"
"(None: not handled here). rows=True: items are [path, type, size, mode, uid,\n"
"gid, linkname] lists and members' data is skipped; pos is where reading stops\n"
"and skip how many data bytes past the end of buf still belong to the last\n"
"member. rows=False: items are (path, type, size, mode, uid, gid, mtime,\n"
"linkname, header_offset) tuples; pos and skip as above.");

static PyObject *
scan(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, max_entries, max_path, len;
    PyObject *types, *items = NULL, *item;
    int rows;
    long long skip = 0;
    const unsigned char *buf;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*nnnO!p:scan", &view, &pos, &max_entries, &max_path,
                          &PyTuple_Type, &types, &rows))
        return NULL;
    len = view.len;
    buf = (const unsigned char *)view.buf;
    if (PyTuple_GET_SIZE(types) != 256) {
        PyErr_SetString(PyExc_ValueError, "scan: types must have 256 items");
        goto fail;
    }
    if (pos < 0 || pos > len || max_path < 0) {
        PyErr_SetString(PyExc_ValueError, "scan: pos or max_path_bytes out of range");
        goto fail;
    }
    items = PyList_New(0);
    if (items == NULL)
        goto fail;
    while (PyList_GET_SIZE(items) < max_entries && len - pos >= BLOCK) {
        long long data_size = 0, next;
        item = one_header(buf + pos, pos, max_path, types, rows, &data_size);
        if (item == NULL)
            goto fail;
        if (item == Py_None)
            break;
        if (PyList_Append(items, item) < 0) {
            Py_DECREF(item);
            goto fail;
        }
        Py_DECREF(item);
        next = (long long)pos + BLOCK + (data_size + BLOCK - 1) / BLOCK * BLOCK;
        if (next > (long long)len) {
            skip = next - (long long)len;
            pos = len;
            break;
        }
        pos = (Py_ssize_t)next;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(NnL)", items, pos, skip);

fail:
    Py_XDECREF(items);
    PyBuffer_Release(&view);
    return NULL;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, scan_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tarscan",
    "C fast path for plain tar headers (see hullguard.image.tarstream).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__tarscan(void)
{
    return PyModule_Create(&module);
}
