import { child, parseXml, XmlSyntaxError } from './xml';

describe('parseXml', () => {
  it('reads elements, attributes, text, entities, CDATA and skips comments / declarations', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- c -->\n<a x="1" y='&lt;2&gt;'><b>one &amp; &#65;&#x42;</b><!-- c --><c/><d><![CDATA[<raw>]]></d></a>\n`);
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: '<2>' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c', 'd']);
    expect(child(root, 'b')?.text).toBe('one & AB');
    expect(child(root, 'd')?.text).toBe('<raw>');
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', /line 1: DOCTYPE declarations are not supported/],
    ['<a>&x;</a>', /unknown entity &x;/],
    ['<a>\n<b></a>', /line 2: closing tag <\/a> does not match <b>/],
    ['<a><b>', /element <b> is not closed/],
    ['<a></a><b/>', /unexpected content after the root element/],
    ['<a x=1/>', /attribute x must be quoted/],
    ['<a>&#x110000;</a>', /bad character reference/],
  ])('rejects %j with a located message', (text, message) => {
    expect(() => parseXml(text)).toThrow(XmlSyntaxError);
    expect(() => parseXml(text)).toThrow(message);
  });
});
