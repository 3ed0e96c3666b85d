import { escapeXml } from '../../../src/builder/common/xml';

test('escapeXml escapes the five XML specials, so the text is safe in an element and in either kind of quoted attribute', () => {
  expect(escapeXml('&<>\'"')).toBe('&amp;&lt;&gt;&apos;&quot;');
  expect(escapeXml('/srv/vm images/a&b.qcow2')).toBe('/srv/vm images/a&amp;b.qcow2');
});
