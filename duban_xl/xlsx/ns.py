"""The OOXML namespaces, relationship and content types the layer uses (ECMA-376 Part 1 and 2)."""
from __future__ import annotations

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
NS_V = "urn:schemas-microsoft-com:vml"
NS_O = "urn:schemas-microsoft-com:office:office"
NS_X = "urn:schemas-microsoft-com:office:excel"
NS_MARKS = "urn:duban_xl:marks"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # Strict Open XML: read, never written
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

M = f"{{{NS_MAIN}}}"  # Clark prefix of spreadsheetml elements

REL_OFFICE_DOCUMENT = f"{NS_R}/officeDocument"
REL_WORKSHEET = f"{NS_R}/worksheet"
REL_COMMENTS = f"{NS_R}/comments"
REL_VML = f"{NS_R}/vmlDrawing"
REL_TABLE = f"{NS_R}/table"
REL_STYLES = f"{NS_R}/styles"
REL_CALC_CHAIN = f"{NS_R}/calcChain"
REL_CUSTOM_XML = f"{NS_R}/customXml"
REL_CUSTOM_PROPS = f"{NS_R}/customXmlProps"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_ITEM_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
