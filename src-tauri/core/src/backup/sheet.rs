//! The printable recovery sheet: how to get the data back from a stick with the
//! passphrase, with Saathi or without it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn html(centre: &str, recipient: &str, date: &str) -> String {
    let centre = esc(centre);
    let recipient = esc(recipient);
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Saathi backup recovery sheet</title>
<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.4}}code,pre{{background:#f3f3f3;padding:2px 4px}}
.box{{border:2px solid #000;height:3em;margin:.5em 0}}</style></head><body>
<h1>Saathi backup recovery sheet</h1>
<p><b>Centre:</b> {centre}<br><b>Key set up on:</b> {date}<br><b>Public key:</b> <code>{recipient}</code></p>
<p>Write the centre's backup passphrase in the box by hand, then keep this sheet locked away.
Without the passphrase no backup can be opened, by anyone.</p>
<div class="box"></div>
<h2>Restore with Saathi (normal way)</h2>
<ol><li>Install Saathi on the PC and open it (sign in as an administrator).</li>
<li>Backup screen → Restore: choose the newest <code>.saathi</code> file in the stick's <code>Saathi-Backups</code> folder.</li>
<li>Type the passphrase, check the preview (date, counts), confirm.</li></ol>
<h2>Restore without Saathi (any PC with the <code>age</code> and <code>sqlite3</code> tools)</h2>
<ol><li>From the stick's <code>Saathi-Backups</code> folder run <pre>age -d saathi-backup-key.age &gt; key.txt</pre> and type the passphrase.</li>
<li>Decrypt a backup: <pre>age -d -i key.txt NAME.saathi &gt; saathi.db</pre></li>
<li>Open it: <pre>sqlite3 saathi.db "SELECT full_name, phone FROM patients"</pre></li>
<li>Delete <code>key.txt</code> afterwards: it unlocks every backup.</li></ol>
</body></html>"#
    )
}
