/**
 * The official EN 16931 examples (CEN/TC 434) routed to a recipient of the bundled
 * configuration: their buyers are foreign bodies no routing table holds, so as they are every
 * one is refused for its buyer and no pivot comes out of them.
 */
/** Centre hospitalier de Brévannes in the bundled configuration: code services DSI, ACHATS. */
export const SIRET = '26330146700019';

/** The UBL invoice routed to that recipient (its SIRET as the buyer's electronic address), with a number of its own. */
export function routedUbl(xml: string, serial: number): string {
  return xml
    .replace(/(<cac:AccountingCustomerParty>\s*<cac:Party>)(\s*<cbc:EndpointID[^>]*>[^<]*<\/cbc:EndpointID>)?/, `$1<cbc:EndpointID schemeID="0009">${SIRET}</cbc:EndpointID>`)
    .replace(/<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/, '<cbc:BuyerReference>DSI</cbc:BuyerReference>')
    .replace(/(<cbc:ID>)([^<]*)(<\/cbc:ID>)/, `$1X${serial}-$2$3`);
}

/** The CII invoice routed to that recipient (its SIRET as the buyer's first GlobalID), with a number of its own. */
export function routedCii(xml: string, serial: number): string {
  return xml
    // after the buyer's own ram:ID, where CII D16B puts GlobalID (before it, the file breaks its schema)
    .replace(/(<ram:BuyerTradeParty>(?:\s*<ram:ID>[^<]*<\/ram:ID>)*)/, `$1<ram:GlobalID schemeID="0009">${SIRET}</ram:GlobalID>`)
    .replace(/<ram:BuyerReference>[^<]*<\/ram:BuyerReference>/, '<ram:BuyerReference>DSI</ram:BuyerReference>')
    .replace(/(<rsm:ExchangedDocument>\s*<ram:ID>)([^<]*)/, `$1X${serial}-$2`);
}

