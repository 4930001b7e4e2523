{#- Every cloud billing export, already mapped to FOCUS by its provider's intermediate model. -#}
with final as (
    select {{ focus_columns({}) }}
    where false
)

select * from final
