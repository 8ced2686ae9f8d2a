// The language of nginx's own refusals, chosen by the rule the workers
// follow (http_prefers_english in fcgi/http.c): of the languages served,
// English and Vietnamese, the one Accept-Language weighs higher (q, default
// 1; a tie goes to the one listed first); Vietnamese when neither is asked.
function pick(r) {
    var al = r.headersIn['Accept-Language'] || '';
    var best = 0, lang = 'vi';
    al.split(',').forEach(function (part) {
        var bits = part.split(';');
        var tag = bits[0].trim().toLowerCase();
        var q = 1;
        for (var i = 1; i < bits.length; i++) {
            var m = /^\s*q\s*=\s*([0-9.]+)/i.exec(bits[i]);
            if (m) {
                q = parseFloat(m[1]);
                if (isNaN(q))
                    q = 0;
                break;
            }
        }
        var en = tag === 'en' || tag.startsWith('en-');
        var vi = tag === 'vi' || tag.startsWith('vi-');
        if (!(en || vi) || q <= best)
            return;
        best = q;
        lang = en ? 'en' : 'vi';
    });
    return lang;
}

export default { pick };
